package org.wikifarm.provisioner.provision.phases;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.provision.Redactor;

/**
 * Phase 9 against a real HTTP server on the loopback standing in for the farm's web server: the request it
 * sends (path, query, Host header), the retries while the wiki is not answering yet, and the failures that end
 * the phase once the bounded wait is over. The real MediaWiki side is {@code MediaWikiEndToEndTest}'s.
 */
class VerifyPhaseTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A server answering every request with {@code answer}; the requests it saw go to {@code seen}. */
  private static HttpServer serve(Consumer<HttpServerRequest> answer) throws Exception {
    return vertx.createHttpServer().requestHandler(answer::accept).listen(0, "127.0.0.1")
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void siteinfo(HttpServerRequest request, String sitename, String lang) {
    request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("batchcomplete", "")
        .put("query", new JsonObject().put("general", new JsonObject().put("sitename", sitename).put("lang", lang)))
        .encode());
  }

  private static PhaseContext context(String verifyUrl, String timeout, List<String> output) throws Exception {
    TestFarm farm = TestFarm.create(json -> {
      JsonObject f = json.getJsonObject("farm").put("verify-timeout", timeout);
      if (verifyUrl != null) {
        f.put("verify-url", verifyUrl);
      }
    });
    PhaseContext base = farm.context("verify-me", "Ålesund's Wiki");
    return new PhaseContext(base.request(), base.config(), new InMemoryLedger(), new Redactor(List.of()),
        output::add);
  }

  @Test
  void asksTheWikisSiteinfoWithItsHostNameAndPassesWhenNameAndLanguageMatch() throws Exception {
    List<String> hosts = new CopyOnWriteArrayList<>();
    List<String> uris = new CopyOnWriteArrayList<>();
    HttpServer server = serve(r -> {
      hosts.add(r.getHeader("Host"));
      uris.add(r.uri());
      siteinfo(r, "Ålesund's Wiki", "en");
    });
    try {
      List<String> output = new CopyOnWriteArrayList<>();
      PhaseContext ctx = context("http://127.0.0.1:" + server.actualPort() + "/", "10s", output);
      new VerifyPhase(vertx).run(ctx);
      assertEquals(List.of("/api.php?action=query&meta=siteinfo&format=json"), uris);
      assertEquals(List.of("verify-me.wiki.test"), hosts, "the wiki's own host name, as the farm's router needs it");
      assertEquals(List.of(), ctx.ledger().entries(), "verify creates nothing");
      assertTrue(output.stream().anyMatch(l -> l.contains("answers")), output.toString());
    } finally {
      server.close();
    }
  }

  @Test
  void keepsAskingWhileTheWikiIsNotReadyYet() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    HttpServer server = serve(r -> {
      int n = calls.incrementAndGet();
      if (n <= 2) {
        r.response().setStatusCode(503).end("This wiki is being created.");
      } else if (n == 3) {
        r.response().end("<html>a welcome page of the web server</html>");
      } else {
        siteinfo(r, "Ålesund's Wiki", "en");
      }
    });
    try {
      new VerifyPhase(vertx).run(context("http://127.0.0.1:" + server.actualPort(), "20s",
          new CopyOnWriteArrayList<>()));
      assertEquals(4, calls.get());
    } finally {
      server.close();
    }
  }

  @Test
  void aWikiThatReportsAnotherNameOrLanguageFailsOnceTheWaitIsOver() throws Exception {
    HttpServer server = serve(r -> siteinfo(r, "MediaWiki", "en"));
    try {
      long start = System.nanoTime();
      ProvisionException e = assertThrows(ProvisionException.class, () -> new VerifyPhase(vertx)
          .run(context("http://127.0.0.1:" + server.actualPort(), "2s", new CopyOnWriteArrayList<>())));
      long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertTrue(took >= 1500 && took < 8000, "bounded by farm.verify-timeout: " + took + " ms");
      assertTrue(e.getMessage().contains("name 'MediaWiki'") && e.getMessage().contains("expected 'Ålesund's Wiki'")
          && e.getMessage().contains("verify-me.wiki.test"), e.getMessage());
      assertTrue(!e.isTransient(), "the orchestrator must not start the wait over");
    } finally {
      server.close();
    }
  }

  @Test
  void noWebServerAtAllFailsWithAMessageSayingSo() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ProvisionException e = assertThrows(ProvisionException.class, () -> new VerifyPhase(vertx)
        .run(context("http://127.0.0.1:" + port, "1s", new CopyOnWriteArrayList<>())));
    assertTrue(e.getMessage().contains("no answer") && e.getMessage().contains("farm.verify-url"), e.getMessage());
  }

  @Test
  void withoutAVerifyUrlThePhaseIsSkipped() throws Exception {
    List<String> output = new CopyOnWriteArrayList<>();
    new VerifyPhase(vertx).run(context(null, "60s", output));
    assertEquals(List.of("skipped: farm.verify-url is not set"), output);
  }
}
