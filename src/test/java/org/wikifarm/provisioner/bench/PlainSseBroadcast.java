package org.wikifarm.provisioner.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The SSE rows' baseline: a minimal Vert.x SSE broadcast, run as its own JVM by {@link SseSection}. Clients
 * subscribe with {@code GET /events/<topic>}; {@code POST /run?progress=P&every=MS} then sends, on every topic,
 * P progress events MS apart and six end events at once (what a task's stream looks like), each frame encoded
 * once and written to every subscriber, and ends the streams. Frame ids are {@code <epoch ms>-<seq>} like the
 * service's journal ids, so the same client measures both. Prints {@code listening <port>} on 127.0.0.1.
 */
public final class PlainSseBroadcast {
  private final Vertx vertx;
  private final Map<String, List<HttpServerResponse>> topics = new HashMap<>();
  private long seq;

  private PlainSseBroadcast(Vertx vertx) {
    this.vertx = vertx;
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    vertx.exceptionHandler(Throwable::printStackTrace);
    PlainSseBroadcast broadcast = new PlainSseBroadcast(vertx);
    vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0).setIdleTimeout(0))
        .requestHandler(broadcast::handle)
        .listen()
        .onSuccess(server -> {
          System.out.println("listening " + server.actualPort());
          System.out.flush();
        })
        .onFailure(e -> {
          e.printStackTrace();
          System.exit(1);
        });
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.startsWith("/events/")) {
      HttpServerResponse response = request.response().setChunked(true)
          .putHeader("Content-Type", "text/event-stream; charset=utf-8").putHeader("Cache-Control", "no-cache");
      response.write("retry: 3000\n\n");
      List<HttpServerResponse> subscribers = topics.computeIfAbsent(path.substring(8), t -> new ArrayList<>());
      subscribers.add(response);
      response.closeHandler(v -> subscribers.remove(response));
    } else if (path.equals("/run")) {
      int progress = Integer.parseInt(request.getParam("progress", "10"));
      long every = Long.parseLong(request.getParam("every", "200"));
      topics.forEach((topic, subscribers) -> emit(subscribers, progress, every));
      request.response().end("started\n");
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  /** {@code left} progress events {@code every} ms apart, then the six end events in one go, then the end. */
  private void emit(List<HttpServerResponse> subscribers, int left, long every) {
    if (left > 0) {
      broadcast(subscribers, "progress", 90 - left);
      vertx.setTimer(every, t -> emit(subscribers, left - 1, every));
      return;
    }
    for (int i = 0; i < 5; i++) {
      broadcast(subscribers, "progress", 91 + i);
    }
    broadcast(subscribers, "status", 100);
    List<HttpServerResponse> ended = List.copyOf(subscribers);
    subscribers.clear();
    ended.forEach(HttpServerResponse::end);
  }

  private void broadcast(List<HttpServerResponse> subscribers, String type, int progress) {
    JsonObject data = new JsonObject().put("type", type).put("status", "status".equals(type) ? "succeeded" : "running")
        .put("progress", progress).put("message", "step " + progress).put("phase", "docker_install");
    Buffer frame = Buffer.buffer("id: " + System.currentTimeMillis() + "-" + seq++ + "\nevent: " + type
        + "\ndata: " + data.encode() + "\n\n");
    for (HttpServerResponse subscriber : List.copyOf(subscribers)) {
      if (!subscriber.writeQueueFull()) {
        subscriber.write(frame);
      }
    }
  }
}
