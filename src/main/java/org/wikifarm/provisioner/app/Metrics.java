package org.wikifarm.provisioner.app;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.metrics.MetricsProvider;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.impl.MicrometerMetrics;
import org.wikifarm.provisioner.support.TaskMetrics;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Metrics on the Vert.x instance: whoever creates the {@code Vertx} (the command line, the cluster set-up, the
 * tests) passes its options through {@link #enable}, and {@link Application} finds the registry again with
 * {@link #registryOf} to add the {@code wikifarm_*} meters and serve {@code /metrics}.
 */
public final class Metrics {
  private static final Logger LOG = Logger.getLogger(Metrics.class.getName());

  private Metrics() {}

  /** {@code options} with Vert.x's Micrometer metrics (HTTP server, pools, JVM) kept in a Prometheus registry. */
  public static VertxOptions enable(VertxOptions options) {
    return options.setMetricsOptions(new MicrometerMetricsOptions()
        .setEnabled(true)
        // a registry of this instance's own: several nodes in one JVM (tests, the dev mode) must not add up,
        // and vertx-micrometer closes a named registry together with its Vert.x
        .setRegistryName("wikifarm-" + UUID.randomUUID())
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true)) // no embedded server: /metrics is ours
        .setJvmMetricsEnabled(true)
        // the route template (/provisioner/v1/>/wikis/:slug), never the path: slugs would be a series each
        .addLabels(Label.HTTP_ROUTE));
  }

  /**
   * Keeps {@code wikifarm_queue_depth} current: one COUNT every {@code every}, the next only once the last has
   * answered, so a scrape never queries and a slow database never piles queries up. Returns what stops it.
   */
  static Runnable refreshQueueDepth(Vertx vertx, Supplier<Future<Long>> count, TaskMetrics metrics, Duration every) {
    AtomicBoolean stopped = new AtomicBoolean();
    AtomicLong timer = new AtomicLong();
    Handler<Long> refresh = new Handler<>() {
      @Override
      public void handle(Long id) {
        count.get()
            .onSuccess(metrics::queueDepth)
            .onFailure(e -> LOG.fine("queue depth not refreshed: " + e.getMessage()))
            .onComplete(ignored -> {
              if (!stopped.get()) {
                timer.set(vertx.setTimer(every.toMillis(), this));
              }
            });
      }
    };
    timer.set(vertx.setTimer(1, refresh));
    return () -> {
      stopped.set(true);
      vertx.cancelTimer(timer.get());
    };
  }

  /**
   * The Prometheus registry Vert.x keeps its meters in, or — for a {@code Vertx} created without
   * {@link #enable} — a registry of our own, so {@code /metrics} still has the {@code wikifarm_*} meters.
   */
  static PrometheusMeterRegistry registryOf(Vertx vertx) {
    // vertx-micrometer hands out a registry only by its name; its metrics object (reached through the core
    // metrics SPI) knows which one belongs to this instance
    if (vertx instanceof MetricsProvider provider && provider.getMetrics() instanceof MicrometerMetrics metrics) {
      MeterRegistry registry = metrics.registry();
      if (registry instanceof PrometheusMeterRegistry prometheus) {
        return prometheus;
      }
    }
    LOG.info("Vert.x metrics are not enabled on this instance: /metrics serves only the wikifarm_* meters");
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }
}
