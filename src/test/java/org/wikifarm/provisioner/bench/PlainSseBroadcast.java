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
 * once and written to every subscriber (the six end events as one write), and ends the streams. Prints {@code listening <port>} on 127.0.0.1.
 *
 * <p>Frame ids are {@code <epoch ms>-<seq>} like the service's journal ids, so the same client measures both, and
 * they are stamped the same way: with the moment the event happened, before any fan-out. Every topic's events
 * happen on one schedule (start + i × MS, the end burst at its step), and a step's frames carry that scheduled
 * time even when the loop reaches them late, behind another topic's fan-out — as the service's journal id is
 * Redis's clock at the XADD, before its event waits for the event loops. (Stamping each frame when its own write
 * loop began hid that wait: 35 ms p99 at 5,000 subscribers where issue 15 measured ~92 ms; writing the end
 * events one by one, as an earlier version did, made the end burst six fan-outs and the baseline slower.)
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
      long start = System.currentTimeMillis() + 1;
      topics.forEach((topic, subscribers) -> step(subscribers, 0, progress, every, start));
      request.response().end("started\n");
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  /**
   * Step {@code i} of a topic's schedule at {@code start + i × every}: a progress event while {@code i < progress},
   * then the six end events in one go and the end of the streams.
   */
  private void step(List<HttpServerResponse> subscribers, int i, int progress, long every, long start) {
    long happened = start + i * every;
    vertx.setTimer(Math.max(1, happened - System.currentTimeMillis()), t -> {
      if (i < progress) {
        broadcast(subscribers, frame("progress", 90 - progress + i, happened));
        step(subscribers, i + 1, progress, every, start);
        return;
      }
      Buffer end = Buffer.buffer(); // events that happen together go out as one write, as the service's do
      for (int k = 0; k < 5; k++) {
        end.appendBuffer(frame("progress", 91 + k, happened));
      }
      broadcast(subscribers, end.appendBuffer(frame("status", 100, happened)));
      List<HttpServerResponse> ended = List.copyOf(subscribers);
      subscribers.clear();
      ended.forEach(HttpServerResponse::end);
    });
  }

  private Buffer frame(String type, int progress, long happened) {
    JsonObject data = new JsonObject().put("type", type).put("status", "status".equals(type) ? "succeeded" : "running")
        .put("progress", progress).put("message", "step " + progress).put("phase", "docker_install");
    return Buffer.buffer("id: " + happened + "-" + seq++ + "\nevent: " + type + "\ndata: " + data.encode() + "\n\n");
  }

  private static void broadcast(List<HttpServerResponse> subscribers, Buffer frames) {
    for (HttpServerResponse subscriber : List.copyOf(subscribers)) {
      if (!subscriber.writeQueueFull()) {
        subscriber.write(frames);
      }
    }
  }
}
