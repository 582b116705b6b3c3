package org.wikifarm.provisioner.sse;

import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A minimal SSE client for tests: reads one stream until the server closes it (or the deadline passes). */
public final class SseClient {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  public record Event(String id, String type, JsonObject data) {}

  public record Stream(int status, String contentType, List<String> headerLines, List<Event> events,
      List<String> comments, boolean closedByServer, String rawPrefix) {}

  public static Stream read(int port, String taskId, String lastEventId, Duration deadline) throws Exception {
    return read("http://127.0.0.1:" + port + "/provisioner/v1/tasks/" + taskId + "/events", lastEventId, deadline, -1);
  }

  /** Reads until the server closes, the deadline passes, or {@code maxEvents} events arrived (-1: no limit). */
  public static Stream read(String url, String lastEventId, Duration deadline, int maxEvents,
      String... requestHeaders) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    for (int i = 0; i + 1 < requestHeaders.length; i += 2) {
      request.header(requestHeaders[i], requestHeaders[i + 1]);
    }
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    List<Event> events = new CopyOnWriteArrayList<>();
    List<String> comments = new CopyOnWriteArrayList<>();
    List<String> headers = new ArrayList<>();
    response.headers().map().forEach((k, v) -> headers.add(k.toLowerCase() + ": " + String.join(",", v)));
    String contentType = response.headers().firstValue("content-type").orElse("");
    if (response.statusCode() != 200) {
      String body = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
      return new Stream(response.statusCode(), contentType, headers, events, comments, true, body);
    }
    StringBuilder raw = new StringBuilder();
    boolean[] closed = {false};
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
        String id = null;
        String type = null;
        StringBuilder data = new StringBuilder();
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          if (raw.length() < 200) {
            raw.append(line).append('\n');
          }
          if (line.isEmpty()) {
            if (data.length() > 0) {
              events.add(new Event(id, type, new JsonObject(data.toString())));
              if (maxEvents > 0 && events.size() >= maxEvents) {
                return;
              }
            }
            id = null;
            type = null;
            data.setLength(0);
          } else if (line.startsWith(":")) {
            comments.add(line);
          } else if (line.startsWith("id: ")) {
            id = line.substring(4);
          } else if (line.startsWith("event: ")) {
            type = line.substring(7);
          } else if (line.startsWith("data: ")) {
            data.append(line.substring(6));
          }
        }
        closed[0] = true;
      } catch (Exception e) {
        // the deadline closed the stream
      }
    }, "sse-test-reader");
    reader.setDaemon(true);
    reader.start();
    reader.join(deadline.toMillis());
    if (reader.isAlive()) {
      response.body().close();
      reader.interrupt();
    }
    return new Stream(200, contentType, headers, List.copyOf(events), List.copyOf(comments), closed[0], raw.toString());
  }
}
