package org.wikifarm.provisioner.http;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code GET /metrics} (SPEC §8): Vert.x's meters and the {@code wikifarm_*} ones in Prometheus text. At the root
 * beside {@code /health}, without the bearer token, so a scraper needs no API credentials (bind or firewall it
 * like the probes).
 */
public final class MetricsEndpoint {
  private final PrometheusMeterRegistry registry;

  public MetricsEndpoint(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  public void register(Router root) {
    root.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }
}
