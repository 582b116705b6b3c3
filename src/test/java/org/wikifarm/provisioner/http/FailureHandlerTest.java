package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.net.ConnectException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.wikifarm.provisioner.store.SlugTakenException;
import org.wikifarm.provisioner.store.StoreUnavailableException;

/**
 * Every way a route can fail, through a real router and server (127.0.0.1, ephemeral port) with the failure
 * handler installed as {@link HttpVerticle} does: each maps to its status and the JSON error shape
 * {@code {"error": {"code", "message", "details"?}}}, and an unexpected exception reveals nothing but an
 * incident id.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class FailureHandlerTest {
  private static final String SECRET = "Hunter2-Sup3rSecret-db-pw";
  private static final String SQL = "SELECT password FROM wikifarm_admins WHERE name = 'root'";
  private static final Pattern INTERNAL_MESSAGE = Pattern.compile(
      "internal error \\(incident [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\); "
          + "the operator can find it in the service log");

  private static HttpServer server;
  private static WebClient client;

  @BeforeAll
  static void startServer(Vertx vertx, VertxTestContext ctx) {
    Router router = Router.router(vertx);
    router.get("/invalid-field").handler(c -> {
      throw ApiException.invalidField("invalid_slug", "slug", "the slug must be 3-63 lowercase letters");
    });
    router.get("/not-found").handler(c -> {
      throw ApiException.notFound("no wiki my-wiki");
    });
    router.get("/rate-limited").handler(c -> c.fail(new ApiException.RateLimited(42)));
    router.get("/slug-taken").handler(c -> {
      throw new SlugTakenException("my-wiki");
    });
    router.get("/store-unavailable").handler(c -> c.fail(new StoreUnavailableException(
        "the metadata database is unavailable; retry shortly", new ConnectException("Connection refused"))));
    router.get("/connect-refused").handler(c -> c.fail(new ConnectException("Connection refused")));
    router.get("/connection-closed").handler(c -> c.fail(io.vertx.sqlclient.ClosedConnectionException.INSTANCE));
    router.get("/async-connect-refused").handler(c ->
        Future.failedFuture(new RuntimeException("query failed", new ConnectException("Connection refused")))
            .onFailure(c::fail));
    router.post("/json").handler(BodyHandler.create(false).setBodyLimit(1024)).handler(c -> {
      JsonObject body = c.body().asJsonObject(); // throws DecodeException on malformed JSON
      c.json(body);
    });
    router.get("/status/:code").handler(c -> c.fail(Integer.parseInt(c.pathParam("code"))));
    router.get("/boom").handler(c -> {
      throw new IllegalStateException("login rejected for password=" + SECRET + " running " + SQL,
          new java.sql.SQLSyntaxErrorException("You have an error in your SQL syntax near '" + SQL + "'"));
    });
    router.route().failureHandler(new FailureHandler());

    client = WebClient.create(vertx);
    vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .onComplete(ctx.succeeding(s -> {
          server = s;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stopServer() {
    if (client != null) {
      client.close();
    }
    // the server closes with the class's Vertx instance
  }

  @Test
  void apiExceptionKeepsItsStatusCodeAndDetails(VertxTestContext ctx) {
    get("/invalid-field").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject error = error(r, 400, "invalid_slug");
      assertEquals("the slug must be 3-63 lowercase letters", error.getString("message"));
      assertEquals(new JsonObject().put("field", "slug"), error.getJsonObject("details"));
      ctx.completeNow();
    })));
  }

  @Test
  void apiExceptionWithoutDetailsHasNoDetailsField(VertxTestContext ctx) {
    get("/not-found").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject error = error(r, 404, "not_found");
      assertEquals("no wiki my-wiki", error.getString("message"));
      assertFalse(error.containsKey("details"));
      ctx.completeNow();
    })));
  }

  @Test
  void rateLimitedIs429WithRetryAfter(VertxTestContext ctx) {
    get("/rate-limited").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject error = error(r, 429, "rate_limited");
      assertEquals("42", r.getHeader("Retry-After"));
      assertEquals(42L, error.getJsonObject("details").getLong("retry_after"));
      ctx.completeNow();
    })));
  }

  @Test
  void slugTakenIs409NamingTheField(VertxTestContext ctx) {
    get("/slug-taken").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject error = error(r, 409, "slug_taken");
      assertTrue(error.getString("message").contains("my-wiki"), error.encode());
      assertEquals(new JsonObject().put("field", "slug"), error.getJsonObject("details"));
      assertNull(r.getHeader("Retry-After"));
      ctx.completeNow();
    })));
  }

  @Test
  void unavailableStoresAndConnectionFailuresAre503WithRetryAfter(VertxTestContext ctx) {
    Map<String, String> messages = Map.of(
        "/store-unavailable", "the metadata database is unavailable; retry shortly",
        "/connect-refused", "a backing service (database or Redis) is unavailable; retry shortly",
        "/connection-closed", "a backing service (database or Redis) is unavailable; retry shortly",
        "/async-connect-refused", "a backing service (database or Redis) is unavailable; retry shortly");
    Checkpoint answered = ctx.checkpoint(messages.size());
    messages.forEach((path, message) -> get(path).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      JsonObject error = error(r, 503, "dependency_unavailable");
      assertEquals(message, error.getString("message"), path);
      assertEquals("5", r.getHeader("Retry-After"), path);
      assertFalse(r.bodyAsString().contains("Connection refused"), path + ": " + r.bodyAsString());
      answered.flag();
    }))));
  }

  @Test
  void malformedJsonIs400InvalidJson(VertxTestContext ctx) {
    client.post(server.actualPort(), "127.0.0.1", "/json").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"name\": \"My Wiki\", "))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject error = error(r, 400, "invalid_json");
          assertEquals("the request body is not valid JSON", error.getString("message"));
          assertFalse(r.bodyAsString().contains("Unexpected"), "no parser internals: " + r.bodyAsString());
          ctx.completeNow();
        })));
  }

  @Test
  void aBodyOverTheLimitIs413(VertxTestContext ctx) {
    client.post(server.actualPort(), "127.0.0.1", "/json").putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("{\"name\": \"" + "x".repeat(4096) + "\"}"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          error(r, 413, "payload_too_large");
          ctx.completeNow();
        })));
  }

  @Test
  void routeStatusFailuresMapToTheirCodes(VertxTestContext ctx) {
    Map<Integer, String> codes = Map.of(400, "bad_request", 401, "unauthorized", 403, "forbidden",
        404, "not_found", 405, "method_not_allowed", 413, "payload_too_large", 415, "unsupported_media_type");
    Checkpoint answered = ctx.checkpoint(codes.size());
    codes.forEach((status, code) -> get("/status/" + status).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      error(r, status, code);
      if (status == 401) {
        assertEquals("Bearer", r.getHeader("WWW-Authenticate"));
      } else {
        assertNull(r.getHeader("WWW-Authenticate"), "status " + status);
      }
      assertNull(r.getHeader("Retry-After"), "status " + status);
      answered.flag();
    }))));
  }

  @Test
  void anUnexpectedExceptionIs500WithOnlyAnIncidentId(VertxTestContext ctx) {
    Checkpoint answered = ctx.checkpoint(2);
    String[] firstIncident = new String[1];
    for (int i = 0; i < 2; i++) {
      get("/boom").onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        JsonObject error = error(r, 500, "internal_error");
        String message = error.getString("message");
        assertTrue(INTERNAL_MESSAGE.matcher(message).matches(), message);
        assertFalse(error.containsKey("details"));
        String body = r.bodyAsString();
        for (String leak : List.of(SECRET, "password", "SELECT", "wikifarm_admins", "SQL", "IllegalState",
            "Exception", "java.", "at org.", "org.wikifarm", "FailureHandlerTest")) {
          assertFalse(body.contains(leak), "the body reveals '" + leak + "': " + body);
        }
        synchronized (firstIncident) {
          if (firstIncident[0] == null) {
            firstIncident[0] = message;
          } else {
            assertNotEquals(firstIncident[0], message, "each failure gets its own incident id");
          }
        }
        answered.flag();
      })));
    }
  }

  // --- helpers

  private static Future<HttpResponse<Buffer>> get(String path) {
    return client.get(server.actualPort(), "127.0.0.1", path).send();
  }

  /** Checks the status and the error shape every failure shares, and returns the {@code error} object. */
  private static JsonObject error(HttpResponse<Buffer> r, int status, String code) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/json; charset=utf-8", r.getHeader("Content-Type"));
    assertEquals("no-store", r.getHeader("Cache-Control"));
    JsonObject body = r.bodyAsJsonObject();
    assertNotNull(body);
    assertEquals(Set.of("error"), body.fieldNames(), body.encode());
    JsonObject error = body.getJsonObject("error");
    assertTrue(Set.of("code", "message", "details").containsAll(error.fieldNames()), error.encode());
    assertEquals(code, error.getString("code"), error.encode());
    assertFalse(error.getString("message", "").isBlank(), error.encode());
    return error;
  }
}
