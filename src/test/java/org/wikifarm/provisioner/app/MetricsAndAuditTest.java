package org.wikifarm.provisioner.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.sse.StreamAssertions;

/**
 * {@code /metrics} and the audit log with the real service: one task that succeeds and one that fails move the
 * {@code wikifarm_*} counters and histograms by exactly those two tasks, the SSE gauge follows open streams, the
 * queue gauge the queued rows; the audit file gets one line per state change and no secret.
 */
class MetricsAndAuditTest {
  private static final String SEARCH_SECRET = "search-Secret/+=&% 42";
  private static final List<String> PHASES = StreamAssertions.CREATE_PHASES;

  /** A node with a worker must not claim other tests' queued tasks, nor leave its own to the next test. */
  @BeforeEach
  void emptyQueue() throws Exception {
    TestInfra.truncateMetadata();
  }

  @Test
  void aSuccessAndAFailureMoveTheCountersAndHistogramsByExactlyThoseTasksAndAreAudited() throws Exception {
    Path audit = Files.createTempFile(TestInfra.scratch(), "audit", ".log");
    String succeeded;
    String failed;
    // the failing command prints secrets: its message is redacted, and no audit line may carry them at all
    String fail = "case \"$(pwd)\" in */mfail-*) echo 'fatal: " + EmbeddedMariaDb.ADMIN_PASSWORD + " " + SEARCH_SECRET
        + " refused' >&2; exit 4;; esac; echo installed";
    try (RunningService service = RunningService.start(json -> {
      json.getJsonObject("executor").put("install-commands",
          new JsonArray().add(new JsonArray().add("sh").add("-c").add(fail)));
      json.put("opensearch", new JsonObject().put("password", SEARCH_SECRET));
      json.put("audit", new JsonObject().put("file", audit.toString()));
    })) {
      Map<String, Double> before = scrape(service);
      String n = Long.toString(System.nanoTime() % 100000);
      succeeded = create(service, "msucc-" + n);
      failed = create(service, "mfail-" + n);
      for (String task : List.of(succeeded, failed)) {
        SseClient.read(service.app.httpPort(), task, null, Duration.ofSeconds(60));
      }
      Map<String, Double> after = awaitMetric(service, "wikifarm_tasks_running", v -> v == 0);

      Map<String, Double> expected = new TreeMap<>();
      expected.put("wikifarm_tasks_total{outcome=failed,type=create_wiki}", 1.0);
      expected.put("wikifarm_tasks_total{outcome=succeeded,type=create_wiki}", 1.0);
      expected.put("wikifarm_rollbacks_total{result=clean}", 1.0);
      for (String phase : PHASES) {
        // the failing task ran the phases before docker_install, then failed in it
        int done = PHASES.indexOf(phase) < PHASES.indexOf("docker_install") ? 2 : 1;
        expected.put("wikifarm_phase_duration_seconds_count{outcome=succeeded,phase=" + phase + "}", (double) done);
        expected.put("wikifarm_phase_duration_seconds_bucket{le=+Inf,outcome=succeeded,phase=" + phase + "}",
            (double) done);
      }
      expected.put("wikifarm_phase_duration_seconds_count{outcome=failed,phase=docker_install}", 1.0);
      expected.put("wikifarm_phase_duration_seconds_bucket{le=+Inf,outcome=failed,phase=docker_install}", 1.0);
      Map<String, Double> moved = new TreeMap<>();
      after.forEach((series, value) -> {
        double delta = value - before.getOrDefault(series, 0.0);
        if (delta != 0 && series.startsWith("wikifarm_") && counts(series)) {
          moved.put(series, delta);
        }
      });
      assertEquals(expected, moved, "the wikifarm_* counts that moved");
      for (String series : after.keySet()) {
        if (series.startsWith("wikifarm_phase_duration_seconds_sum")) {
          assertTrue(after.get(series) > 0, series);
        }
      }
      assertEquals(0.0, after.get("wikifarm_queue_depth"));
      assertEquals(0.0, after.get("wikifarm_lease_takeovers_total"));
      assertEquals(0.0, after.get("wikifarm_rollbacks_total{result=leftovers}"));
      // Vert.x's own HTTP server meters are there, by route template
      String creates = "vertx_http_server_requests_total{code=202,method=POST,route=/provisioner/v1/>/wikis}";
      assertEquals(2.0, after.get(creates) - before.getOrDefault(creates, 0.0), creates);
    }

    List<JsonObject> lines = Files.readAllLines(audit).stream().map(JsonObject::new).toList();
    for (String secret : List.of(EmbeddedMariaDb.ADMIN_PASSWORD, EmbeddedMariaDb.APP_PASSWORD, SEARCH_SECRET,
        URLEncoder.encode(SEARCH_SECRET, StandardCharsets.UTF_8))) {
      assertFalse(Files.readString(audit).contains(secret), "an audit line carries a secret");
    }
    for (String task : List.of(succeeded, failed)) {
      List<String> actions = lines.stream().filter(l -> l.getString("target").equals(task))
          .map(l -> l.getString("action")).toList();
      // a worker may claim the task before the HTTP request that queued it has finished (and written its line)
      assertEquals(List.of("task.claim", "task.create", "task.finish"), actions.stream().sorted().toList(),
          lines.toString());
      assertTrue(actions.indexOf("task.claim") < actions.indexOf("task.finish"), lines.toString());
    }
    assertEquals(6, lines.size(), lines.toString());
    for (JsonObject line : lines) {
      assertTrue(line.getString("time").endsWith("Z"), line.encode());
      if (line.getString("action").equals("task.create")) {
        assertEquals("79", line.getString("actor"), "the owner creates");
        assertEquals("queued", line.getString("outcome"));
      } else {
        assertTrue(line.getString("actor").matches("[0-9a-f-]{36}"), "the node claims and finishes: " + line);
      }
    }
    assertTrue(lines.stream().anyMatch(l -> l.getString("action").equals("task.finish") && l.getString("target")
        .equals(failed) && l.getString("outcome").equals("failed") && l.getJsonObject("details")
        .getBoolean("cleaned_up")), lines.toString());
  }

  @Test
  void theSseGaugeFollowsOpenStreamsAndTheQueueGaugeTheQueuedRows() throws Exception {
    try (RunningService service = RunningService.startApiOnly()) {
      String task = create(service, "mqueue-" + System.nanoTime() % 100000); // stays queued: no worker
      awaitMetric(service, "wikifarm_queue_depth", v -> v == 1);
      assertEquals(0.0, scrape(service).get("wikifarm_sse_connections"));

      HttpClient http = HttpClient.newHttpClient();
      URI events = URI.create("http://127.0.0.1:" + service.app.httpPort() + "/provisioner/v1/tasks/" + task + "/events");
      HttpResponse<InputStream> first = http.send(HttpRequest.newBuilder(events).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      HttpResponse<InputStream> second = http.send(HttpRequest.newBuilder(events).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, first.statusCode());
      awaitMetric(service, "wikifarm_sse_connections", v -> v == 2);
      first.body().close();
      awaitMetric(service, "wikifarm_sse_connections", v -> v == 1);
      second.body().close();
      awaitMetric(service, "wikifarm_sse_connections", v -> v == 0);
      // a task that does not exist is a 404, never an open stream
      assertEquals(404, service.client.get("/provisioner/v1/tasks/00000000-0000-4000-8000-000000000000/events").status());
      assertEquals(0.0, scrape(service).get("wikifarm_sse_connections"));
    }
  }

  /** Counters, histogram counts and the +Inf bucket: values the two tasks determine exactly. */
  private static boolean counts(String series) {
    return series.contains("_total") || series.contains("_count{") || series.contains("le=+Inf");
  }

  private static String create(RunningService service, String slug) throws Exception {
    String body = new JsonObject().put("name", "Metrics " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", 79).put("username", "Metric")).encode();
    ApiClient.Response r = service.client.postJson("/provisioner/v1/wikis", body);
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  /** Scrapes until {@code name} satisfies {@code condition} (gauges follow within moments); returns that scrape. */
  private static Map<String, Double> awaitMetric(RunningService service, String name, Predicate<Double> condition)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (true) {
      Map<String, Double> metrics = scrape(service);
      Double value = metrics.get(name);
      if (value != null && condition.test(value)) {
        return metrics;
      }
      assertTrue(System.nanoTime() < deadline, name + " stayed at " + value);
      Thread.sleep(100);
    }
  }

  /**
   * {@code GET /metrics} as {@code name{label=value,…}} (labels sorted, quotes dropped) → value. Comment lines
   * ({@code # HELP}, {@code # TYPE}) are skipped.
   */
  static Map<String, Double> scrape(RunningService service) throws Exception {
    ApiClient.Response response = service.client.get("/metrics");
    assertEquals(200, response.status());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
    Map<String, Double> series = new TreeMap<>();
    for (String line : response.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int space = line.lastIndexOf(' ');
      String key = line.substring(0, space);
      int brace = key.indexOf('{');
      if (brace >= 0) {
        TreeMap<String, String> labels = new TreeMap<>();
        for (String pair : key.substring(brace + 1, key.length() - 1).split(",(?=[a-zA-Z_]+=\")")) {
          int eq = pair.indexOf('=');
          labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
        }
        StringBuilder normal = new StringBuilder(key.substring(0, brace)).append('{');
        labels.forEach((k, v) -> normal.append(normal.charAt(normal.length() - 1) == '{' ? "" : ",")
            .append(k).append('=').append(v));
        key = normal.append('}').toString();
      }
      series.put(key, Double.parseDouble(line.substring(space + 1)));
    }
    return series;
  }
}
