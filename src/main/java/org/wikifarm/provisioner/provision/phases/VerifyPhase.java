package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Duration;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.support.Failures;

/**
 * Phase 9, {@code verify} (SPEC §6): a wiki whose commands all exited 0 may still not answer (a broken
 * LocalSettings, a web server that does not route the new host). So, when {@code farm.verify-url} is set, the
 * wiki's own {@code api.php?action=query&meta=siteinfo} is fetched through the farm's web server with the
 * wiki's host name, until its {@code sitename} and {@code lang} are the wiki's name and language. A web server
 * that is still warming up (503, connection refused, another page) is asked again until
 * {@code farm.verify-timeout} has passed; then the phase fails for good and the task rolls back.
 *
 * <p>Read-only: it creates nothing, records nothing, and a resumed task simply asks again.
 */
public final class VerifyPhase implements Phase {
  public static final String NAME = "verify";
  static final String QUERY = "/api.php?action=query&meta=siteinfo&format=json";
  private static final Logger LOG = Logger.getLogger(VerifyPhase.class.getName());
  /** One request never waits longer than this, so a hung server is asked again within the deadline. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration PAUSE = Duration.ofMillis(500);

  private final Vertx vertx;

  public VerifyPhase(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    AppConfig.Farm farm = ctx.config().farm();
    if (farm.verifyUrl() == null) {
      ctx.output("skipped: farm.verify-url is not set");
      return;
    }
    String host = ctx.request().slug() + "." + farm.rootHost();
    long deadline = System.nanoTime() + farm.verifyTimeout().toNanos();
    WebClient client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false)
        .setConnectTimeout((int) Math.min(REQUEST_TIMEOUT.toMillis(), farm.verifyTimeout().toMillis() + 1)));
    String last = "no answer yet";
    try {
      for (int attempt = 1; ; attempt++) {
        // never past the deadline by more than a second, however slow one request is
        long left = Math.max(1000, (deadline - System.nanoTime()) / 1_000_000);
        last = ask(client, farm.verifyUrl(), host, Math.min(REQUEST_TIMEOUT.toMillis(), left), ctx);
        if (last == null) {
          ctx.output("the wiki answers at " + host + " with its name and language");
          return;
        }
        if (System.nanoTime() + PAUSE.toNanos() > deadline) {
          break;
        }
        if (attempt == 1 || attempt % 10 == 0) {
          ctx.output("waiting for the wiki to answer at " + host + ": " + last);
        }
        Thread.sleep(PAUSE.toMillis());
      }
    } finally {
      client.close();
    }
    throw new ProvisionException("the wiki did not answer as expected through the farm's web server "
        + "(farm.verify-url) for " + host + " within " + farm.verifyTimeout().toSeconds() + " s: " + last
        + ". Check the wiki's LocalSettings.php and that the web server routes this host, then create it again.");
  }

  /** One request: null when the wiki answered with its name and language, else what was wrong. */
  private String ask(WebClient client, String base, String host, long timeoutMillis, PhaseContext ctx)
      throws InterruptedException {
    HttpResponse<Buffer> response;
    try {
      // connect to the verify URL's server but send "Host: <slug>.<root host>" exactly, as a browser would
      // (virtualHost() would append the verify URL's port, which a farm's host router does not expect)
      response = Blocking.await(client.getAbs(base + QUERY).putHeader("Host", host)
          .putHeader("Accept", "application/json").timeout(timeoutMillis).send(),
          Duration.ofMillis(timeoutMillis).plusSeconds(5));
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      LOG.fine(() -> "verify " + host + ": " + e);
      return "no answer (" + ctx.redactor().redact(Failures.rootMessage(e)) + ")";
    }
    if (response.statusCode() != 200) {
      return "HTTP " + response.statusCode();
    }
    JsonObject general;
    try {
      JsonObject query = response.bodyAsJsonObject().getJsonObject("query");
      general = query == null ? null : query.getJsonObject("general");
    } catch (RuntimeException notJson) {
      general = null;
    }
    if (general == null) {
      return "the answer is not MediaWiki's siteinfo (" + excerpt(response.bodyAsString()) + ")";
    }
    String name = ctx.request().name();
    String language = ctx.request().language();
    if (!name.equals(general.getString("sitename")) || !language.equals(general.getString("lang"))) {
      return "it reports name '" + excerpt(general.getString("sitename")) + "' and language '"
          + excerpt(general.getString("lang")) + "', expected '" + name + "' and '" + language + "'";
    }
    return null;
  }

  private static String excerpt(String text) {
    if (text == null) {
      return "";
    }
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= 120 ? line : line.substring(0, 120) + "…";
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // never called: this phase records nothing
  }
}
