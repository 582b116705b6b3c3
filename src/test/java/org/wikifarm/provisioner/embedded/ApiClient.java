package org.wikifarm.provisioner.embedded;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A small blocking client for the API under test (loopback only). Every response it receives is also recorded
 * ({@link #recorded()}), so {@code OpenApiConformanceTest} can check all of them against the OpenAPI document.
 */
public final class ApiClient {
  /** One request and the response to it, as a test saw them. {@code path} is the raw path, without the query. */
  public record Exchange(String method, String path, int status, java.net.http.HttpHeaders headers, String body) {}

  private static final Queue<Exchange> RECORDED = new ConcurrentLinkedQueue<>();

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  public ApiClient(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  public record Response(int status, String body, java.net.http.HttpHeaders headers) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }

  /** The slugs of a {@code wikis} array of a list answer, in its order. */
  public static List<String> slugsOf(JsonArray wikis) {
    return wikis.stream().map(w -> ((JsonObject) w).getString("slug")).toList();
  }

  public Response get(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), headers);
  }

  public Response postJson(String path, String body, String... headers) throws Exception {
    String[] all = new String[headers.length + 2];
    all[0] = "Content-Type";
    all[1] = "application/json";
    System.arraycopy(headers, 0, all, 2, headers.length);
    return post(path, body, all);
  }

  public Response post(String path, String body, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.ofString(body)), headers);
  }

  public Response delete(String path, String... headers) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).DELETE(), headers);
  }

  public Response send(HttpRequest.Builder builder, String... headers) throws Exception {
    for (int i = 0; i < headers.length; i += 2) {
      builder.header(headers[i], headers[i + 1]);
    }
    HttpRequest request = builder.timeout(Duration.ofSeconds(30)).build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    RECORDED.add(new Exchange(request.method(), request.uri().getRawPath(), r.statusCode(), r.headers(), r.body()));
    return new Response(r.statusCode(), r.body(), r.headers());
  }

  /** Every exchange of every client in this JVM so far, oldest first. */
  public static List<Exchange> recorded() {
    return List.copyOf(RECORDED);
  }

  public static String createBody(String name, String slug) {
    return new JsonObject().put("name", name).put("slug", slug)
        .put("owner", new JsonObject().put("id", 7).put("username", "Alice")).encode();
  }

  public static Map<String, Object> owner(long id, String name) {
    return Map.of("id", id, "username", name);
  }
}
