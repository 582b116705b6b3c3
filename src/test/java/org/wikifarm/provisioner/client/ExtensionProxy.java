package org.wikifarm.provisioner.client;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * The farm's front proxy as the extension's page sees it (Traefik with forward-auth), on 127.0.0.1: serves the
 * test page ({@code src/test/resources/extension-client/}) and forwards {@code /provisioner/v1/*} to the service,
 * replacing whatever identity headers the client sent with {@code X-Auth-User-Id} / {@code X-Auth-User} as raw
 * UTF-8 bytes (what MediaWiki answers the forward-auth call with). Responses are streamed chunk by chunk, so
 * SSE goes through unbuffered. Every API exchange is logged for the test, and a test can arm a one-shot drop
 * of the SSE connection right after a chosen event, running an action (e.g. cutting MariaDB) first.
 */
final class ExtensionProxy implements AutoCloseable {
  static final String SESSION_COOKIE = "wikifarm_session";
  private static final String API = "/provisioner/v1/";
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length");
  private static final Set<String> IDENTITY = Set.of("x-auth-user-id", "x-auth-user");

  /** One request the page made to the API, as the proxy saw it, and how it went. */
  static final class Exchange {
    final int seq;
    final String method;
    final String uri;
    final String contentType;
    final String cookie;
    final String lastEventId;
    final String accept;
    /** Identity headers the client itself sent (they are stripped, never forwarded). */
    final List<String> clientIdentity;
    volatile String body = "";
    /** The service's response headers, as relayed to the client. */
    volatile MultiMap responseHeaders = MultiMap.caseInsensitiveMultiMap();
    volatile int status;
    volatile long respondedAt;
    volatile boolean sse;
    /** The journal ids of the events this exchange forwarded, in order. */
    final List<String> forwardedIds = new CopyOnWriteArrayList<>();
    volatile boolean dropped;

    Exchange(int seq, HttpServerRequest req) {
      this.seq = seq;
      this.method = req.method().name();
      this.uri = req.uri();
      this.contentType = req.getHeader("Content-Type");
      this.cookie = req.getHeader("Cookie");
      this.lastEventId = req.getHeader("Last-Event-ID");
      this.accept = req.getHeader("Accept");
      List<String> sent = new ArrayList<>();
      req.headers().forEach((name, value) -> {
        if (IDENTITY.contains(name.toLowerCase(Locale.ROOT))) {
          sent.add(name + ": " + value);
        }
      });
      this.clientIdentity = List.copyOf(sent);
    }

    String path() {
      int q = uri.indexOf('?');
      return q < 0 ? uri : uri.substring(0, q);
    }

    @Override
    public String toString() {
      return "#" + seq + " " + method + " " + uri + " -> " + status + (sse ? " sse ids=" + forwardedIds : "")
          + (dropped ? " DROPPED" : "") + (lastEventId != null ? " Last-Event-ID=" + lastEventId : "")
          + " ct=" + contentType + " cookie=" + cookie + (body.isEmpty() ? "" : " body=" + body);
    }
  }

  /** Where an armed drop happened: the exchange and the last journal id forwarded on it. */
  record Drop(Exchange exchange, String lastForwardedId, long at) {}

  private record DropPlan(Predicate<JsonObject> when, Runnable before, CompletableFuture<Drop> done) {}

  private final Vertx vertx;
  private final HttpServer server;
  private final HttpClientAgent upstream;
  private final String userId;
  /** The UTF-8 bytes of the user name, one char per byte: what goes on the wire as the header value. */
  private final String userNameWire;
  private final String page;
  private final String script;
  private final String sessionValue = UUID.randomUUID().toString();
  private final List<Exchange> log = new CopyOnWriteArrayList<>();
  private final AtomicInteger seq = new AtomicInteger();
  private final AtomicReference<DropPlan> armed = new AtomicReference<>();

  private ExtensionProxy(Vertx vertx, int servicePort, long userId, String userName, String baseDomain)
      throws IOException {
    this.vertx = vertx;
    this.userId = Long.toString(userId);
    this.userNameWire = new String(userName.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    // what MediaWiki renders into Special:WikiFarm for its scripts (mw.config)
    String mwConfig = new JsonObject().put("wgUserId", userId).put("wgUserName", userName)
        .put("baseDomain", baseDomain).encode().replace("<", "\\u003c");
    this.page = resource("index.html").replace("{{mwConfig}}", mwConfig);
    this.script = resource("client.js");
    this.upstream = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
        .setDefaultPort(servicePort).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(32));
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)
        .setHttp2ClearTextEnabled(false));
    server.requestHandler(this::handle);
  }

  static ExtensionProxy start(Vertx vertx, int servicePort, long userId, String userName, String baseDomain)
      throws Exception {
    ExtensionProxy proxy = new ExtensionProxy(vertx, servicePort, userId, userName, baseDomain);
    proxy.server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return proxy;
  }

  int port() {
    return server.actualPort();
  }

  String url() {
    return "http://127.0.0.1:" + port() + "/";
  }

  String sessionCookie() {
    return SESSION_COOKIE + "=" + sessionValue;
  }

  /** Every API exchange so far, in arrival order. */
  List<Exchange> log() {
    return List.copyOf(log);
  }

  /** The log position now: exchanges after it belong to what the test does next. */
  int mark() {
    return seq.get();
  }

  List<Exchange> since(int mark) {
    return log().stream().filter(e -> e.seq > mark).toList();
  }

  /**
   * Arms a one-shot drop: the first SSE event (on any stream) whose data matches {@code when} is forwarded,
   * then {@code before} runs (off the event loop; the upstream is paused meanwhile), then the browser's and the
   * upstream connection are closed, as a network blip would. The future tells where it happened.
   */
  CompletableFuture<Drop> dropSseAfter(Predicate<JsonObject> when, Runnable before) {
    DropPlan plan = new DropPlan(when, before, new CompletableFuture<>());
    if (!armed.compareAndSet(null, plan)) {
      throw new IllegalStateException("a drop is already armed");
    }
    return plan.done;
  }

  void disarm() {
    DropPlan plan = armed.getAndSet(null);
    if (plan != null) {
      plan.done.cancel(false);
    }
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    if (path.equals("/") || path.equals("/index.html")) {
      req.response().putHeader("Content-Type", "text/html; charset=utf-8")
          .putHeader("Set-Cookie", sessionCookie() + "; Path=/; HttpOnly; SameSite=Lax")
          .putHeader("Cache-Control", "no-store").end(page);
    } else if (path.equals("/client.js")) {
      req.response().putHeader("Content-Type", "text/javascript; charset=utf-8")
          .putHeader("Cache-Control", "no-store").end(script);
    } else if (path.startsWith(API)) {
      forward(req);
    } else {
      req.response().setStatusCode(404).putHeader("Content-Type", "text/plain").end("not here");
    }
  }

  private void forward(HttpServerRequest req) {
    Exchange exchange = new Exchange(seq.incrementAndGet(), req);
    log.add(exchange);
    HttpServerResponse response = req.response();
    req.body()
        .compose(body -> {
          exchange.body = body.toString(StandardCharsets.UTF_8);
          return upstream.request(new RequestOptions().setMethod(req.method()).setURI(req.uri()))
              .compose(out -> {
                copyRequestHeaders(req.headers(), out.headers());
                // forward-auth: the proxy's word on who the user is, never the client's
                out.putHeader("X-Auth-User-Id", userId);
                out.putHeader("X-Auth-User", userNameWire);
                // the browser went away mid-response (an SSE stream): so does the upstream connection
                response.closeHandler(v -> {
                  if (!response.ended()) {
                    out.connection().close();
                  }
                });
                return out.send(body).map(in -> {
                  relay(req, out, in, exchange);
                  return null;
                });
              });
        })
        .onFailure(e -> {
          exchange.status = 502;
          exchange.respondedAt = System.nanoTime();
          if (!response.headWritten() && !response.closed()) {
            response.setStatusCode(502).putHeader("Content-Type", "application/json")
                .end(new JsonObject().put("error", new JsonObject().put("code", "bad_gateway")
                    .put("message", String.valueOf(e.getMessage()))).encode());
          } else {
            req.connection().close();
          }
        });
  }

  private static void copyRequestHeaders(MultiMap from, MultiMap to) {
    from.forEach((name, value) -> {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!HOP_BY_HOP.contains(lower) && !IDENTITY.contains(lower)) {
        to.add(name, value);
      }
    });
  }

  /** Streams the service's answer to the browser chunk by chunk; watches SSE events for an armed drop. */
  private void relay(HttpServerRequest req, HttpClientRequest out, HttpClientResponse in, Exchange exchange) {
    HttpServerResponse response = req.response();
    response.setStatusCode(in.statusCode()).setStatusMessage(in.statusMessage());
    in.headers().forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) {
        response.headers().add(name, value);
      }
    });
    String length = in.getHeader("Content-Length");
    if (length != null) {
      response.putHeader("Content-Length", length);
    } else {
      response.setChunked(true);
    }
    String type = in.getHeader("Content-Type");
    exchange.sse = type != null && type.startsWith("text/event-stream");
    exchange.responseHeaders = MultiMap.caseInsensitiveMultiMap().addAll(in.headers());
    exchange.status = in.statusCode();
    exchange.respondedAt = System.nanoTime();
    SseScanner scanner = exchange.sse ? new SseScanner() : null;
    in.exceptionHandler(e -> req.connection().close());
    in.endHandler(v -> {
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    });
    in.handler(chunk -> {
      if (response.closed()) {
        return;
      }
      response.write(chunk);
      if (scanner == null) {
        return;
      }
      DropPlan trigger = null;
      for (JsonObject event : scanner.feed(chunk)) {
        String id = event.getString("id");
        if (id != null) {
          exchange.forwardedIds.add(id);
        }
        DropPlan plan = armed.get();
        if (trigger == null && plan != null && event.getJsonObject("data") != null
            && plan.when.test(event.getJsonObject("data")) && armed.compareAndSet(plan, null)) {
          trigger = plan;
        }
      }
      if (trigger != null) {
        drop(req, out, in, exchange, trigger);
      } else if (response.writeQueueFull()) {
        in.pause();
        response.drainHandler(v -> in.resume());
      }
    });
  }

  private void drop(HttpServerRequest req, HttpClientRequest out, HttpClientResponse in, Exchange exchange,
      DropPlan plan) {
    in.pause();
    String lastId = exchange.forwardedIds.isEmpty() ? null
        : exchange.forwardedIds.get(exchange.forwardedIds.size() - 1);
    vertx.executeBlocking(() -> {
      plan.before.run();
      return null;
    }).onComplete(ar -> {
      exchange.dropped = true;
      req.connection().close();
      out.connection().close();
      if (ar.failed()) {
        plan.done.completeExceptionally(ar.cause());
      } else {
        plan.done.complete(new Drop(exchange, lastId, System.nanoTime()));
      }
    });
  }

  /** Splits an SSE byte stream into events ({id, type, data}); chunks may cut anywhere, even inside a char. */
  private static final class SseScanner {
    private Buffer pending = Buffer.buffer();

    List<JsonObject> feed(Buffer chunk) {
      pending.appendBuffer(chunk);
      List<JsonObject> events = new ArrayList<>();
      byte[] bytes = pending.getBytes();
      int start = 0;
      for (int i = 0; i + 1 < bytes.length; i++) {
        if (bytes[i] == '\n' && bytes[i + 1] == '\n') {
          String block = new String(bytes, start, i - start, StandardCharsets.UTF_8);
          JsonObject event = parse(block);
          if (event != null) {
            events.add(event);
          }
          start = i + 2;
          i++;
        }
      }
      pending = Buffer.buffer().appendBytes(bytes, start, bytes.length - start);
      return events;
    }

    private static JsonObject parse(String block) {
      JsonObject event = new JsonObject();
      StringBuilder data = new StringBuilder();
      for (String line : block.split("\n")) {
        if (line.startsWith("id: ")) {
          event.put("id", line.substring(4));
        } else if (line.startsWith("event: ")) {
          event.put("type", line.substring(7));
        } else if (line.startsWith("data: ")) {
          data.append(line.substring(6));
        }
      }
      if (data.length() == 0) {
        return null; // retry: or a comment
      }
      try {
        event.put("data", new JsonObject(data.toString()));
      } catch (RuntimeException e) {
        event.put("raw", data.toString());
      }
      return event;
    }
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = ExtensionProxy.class.getResourceAsStream("/extension-client/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource extension-client/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Override
  public void close() throws Exception {
    disarm();
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      upstream.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
