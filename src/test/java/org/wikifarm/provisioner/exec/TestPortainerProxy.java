package org.wikifarm.provisioner.exec;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for Portainer's Docker proxy, good enough to prove the portainer executor speaks its protocol:
 * requests to {@code /api/endpoints/1/docker/…} that carry the right {@code X-API-Key} are forwarded, prefix
 * stripped, to the real test engine's unix socket and the answer is streamed back (the exec start answer is a
 * raw stream that ends when the engine closes the connection, so it is relayed chunk by chunk, not buffered).
 * Anything without the key gets Portainer's 401; other endpoint ids get its 404. Listens on 127.0.0.1 only.
 */
final class TestPortainerProxy implements AutoCloseable {
  static final String PREFIX = "/api/endpoints/1/docker";
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "upgrade", "transfer-encoding",
      "te", "trailer", "proxy-authorization", "proxy-authenticate", "host", "content-length");

  private final Vertx vertx = Vertx.vertx();
  private final String apiKey;
  private final SocketAddress engine;
  private final HttpClient client;
  private final HttpServer server;
  private final List<String> seenKeys = new CopyOnWriteArrayList<>();

  TestPortainerProxy(String apiKey, Path engineSocket) throws Exception {
    this.apiKey = apiKey;
    this.engine = SocketAddress.domainSocketAddress(engineSocket.toString());
    this.client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false));
    this.server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(this::handle)
        .listen()
        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The PORTAINER_ENDPOINT for this proxy. */
  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort() + PREFIX;
  }

  String endpoint(int endpointId) {
    return "http://127.0.0.1:" + server.actualPort() + "/api/endpoints/" + endpointId + "/docker";
  }

  /** The X-API-Key of every request received (null when absent). */
  List<String> seenKeys() {
    return List.copyOf(seenKeys);
  }

  void forgetSeenKeys() {
    seenKeys.clear();
  }

  private void handle(HttpServerRequest req) {
    String key = req.getHeader("X-API-Key");
    seenKeys.add(String.valueOf(key));
    if (!apiKey.equals(key)) {
      json(req.response(), 401, "{\"message\":\"Unauthorized\",\"details\":\"A valid authorisation token is missing\"}");
      return;
    }
    if (!req.uri().startsWith(PREFIX + "/")) {
      json(req.response(), 404, "{\"message\":\"Unable to find an environment with the specified identifier inside "
          + "the database\",\"details\":\"Object not found inside the database\"}");
      return;
    }
    RequestOptions upstream = new RequestOptions()
        .setServer(engine)
        .setHost("localhost")
        .setPort(80)
        .setMethod(req.method())
        .setURI(req.uri().substring(PREFIX.length()));
    req.body()
        .compose(body -> client.request(upstream).compose(out -> {
          copyHeaders(req.headers(), out.headers());
          out.headers().remove("X-API-Key"); // Portainer does not pass its credentials on to the engine
          return out.send(body);
        }))
        .onSuccess(in -> relay(in, req.response()))
        .onFailure(err -> json(req.response(), 502, "{\"message\":\"" + err.getMessage() + "\"}"));
  }

  /** Streams the engine's answer; without a Content-Length it is sent chunked as it arrives. */
  private static void relay(HttpClientResponse in, HttpServerResponse out) {
    out.setStatusCode(in.statusCode());
    copyHeaders(in.headers(), out.headers());
    String length = in.getHeader("Content-Length");
    if (length != null) {
      out.putHeader("Content-Length", length);
    } else {
      out.setChunked(true);
    }
    in.pipeTo(out);
  }

  private static void copyHeaders(MultiMap from, MultiMap to) {
    from.forEach((name, value) -> {
      if (!HOP_BY_HOP.contains(name.toLowerCase())) {
        to.add(name, value);
      }
    });
  }

  private static void json(HttpServerResponse response, int status, String body) {
    if (!response.headWritten()) {
      response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
  }

  @Override
  public void close() throws Exception {
    Future.join(server.close(), client.close()).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
