package org.wikifarm.provisioner.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * Provisioning, run against each code version's fat jar with the local executor:
 * <ul>
 *   <li>{@code provision.one-task}: one create task's wall time (POST, then its SSE stream followed to its end;
 *       median of several tasks, one at a time) against the same operations run directly in this JVM
 *       ({@link DirectProvision}), interleaved task by task so both see the same machine. Each side starts when
 *       the node is idle again: its spare OAuth key pairs topped up, which it does a second after its task
 *       (a version without spares has nothing to wait for). For the current code, the same with no spares
 *       ({@code oauth.spare-keys: 0}) is a context row: every pair generated inside its task, as the direct
 *       run does;</li>
 *   <li>{@code provision.scaling}: 20 tasks whose install command sleeps 1 s (real installs wait on PHP and
 *       the database, not on the service's CPU), tasks/s with {@code worker.concurrency} 4 against 1; the
 *       figure for 2 workers goes in a note.</li>
 * </ul>
 * Only configuration keys both versions know are set, but for the context row. About two minutes per code
 * version.
 */
public class ProvisionSection implements BenchSection {
  private static final String API = "/provisioner/v1";
  private static final Duration TASK_TIMEOUT = Duration.ofMinutes(2);
  private static final int SCALING_TASKS = 20;
  private static final AtomicInteger OWNERS = new AtomicInteger(990_000);
  private static final String SPARE_KEYS = "spare-keys";
  private static final String SPARE_KEYS_GAUGE = "wikifarm_oauth_spare_keys";

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @Override
  public String name() {
    return "provision";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    List<BenchRow> rows = new ArrayList<>();
    rows.add(oneTask(context, "provision.one-task", "one task (local executor, trivial commands)", config -> {}));
    if (context.codeLabel().equals("current")) {
      withoutSpareKeys(context).ifPresent(rows::add);
    }
    rows.add(scaling(context));
    return rows;
  }

  // ------------------------------------------------------------------ one task vs. its operations

  /**
   * Context for the current code: one task when the node keeps no spare key pairs, so key generation is inside
   * the task as it is in the direct run. A tree without {@code oauth.spare-keys} refuses it; then it is a note.
   */
  private Optional<BenchRow> withoutSpareKeys(BenchContext context) throws Exception {
    try {
      return Optional.of(oneTask(context, "provision.one-task.no-spares", "one task, no spare key pairs "
          + "(oauth.spare-keys: 0)", config -> config.put("oauth",
              config.getJsonObject("oauth", new JsonObject()).put(SPARE_KEYS, 0))));
    } catch (IllegalStateException refused) {
      context.note("no one-task row without spare keys: the current code did not start with oauth.spare-keys: 0 ("
          + refused.getMessage().lines().findFirst().orElse("") + ")");
      return Optional.empty();
    }
  }

  private BenchRow oneTask(BenchContext context, String id, String what, Consumer<JsonObject> adjust)
      throws Exception {
    Path farm = context.scratch().resolve(id);
    JsonObject config = context.baseConfig(farm);
    List<List<String>> commands = List.of(List.of("sh", "-c", "echo installing"),
        List.of("sh", "-c", "echo configuring the index"), List.of("sh", "-c", "echo indexing"));
    JsonObject executor = config.getJsonObject("executor");
    executor.put("install-commands", new JsonArray().add(new JsonArray(commands.get(0))));
    executor.put("index-cfg-commands", new JsonArray().add(new JsonArray(commands.get(1))));
    executor.put("index-commands", new JsonArray().add(new JsonArray(commands.get(2))));
    worker(config, 1);
    adjust.accept(config);
    AppConfig parsed = ConfigLoader.fromJson(config.copy());
    int warmup = context.quick() ? 2 : 3;
    // RSA key generation's prime search takes 50–450 ms on either side, so the median of 9 tasks moved the row
    // from 1.3× to 2.5× between runs of the same code; 25 steady it for ~10 s more per code version
    int measured = context.quick() ? 3 : 25;
    List<Double> service = new ArrayList<>();
    List<Double> direct = new ArrayList<>();
    List<Map<String, Double>> serviceSplits = new ArrayList<>();
    List<Map<String, Double>> directSplits = new ArrayList<>();
    String run = context.codeLabel().substring(0, 1) + Long.toString(System.nanoTime() % 1_000_000, 36);
    List<String> slugs = new ArrayList<>();
    try (BenchContext.ServiceUnderTest node = context.start(config);
        DirectProvision by = new DirectProvision(parsed, commands)) {
      for (int i = 0; i < warmup + measured; i++) {
        String slug = "pb-" + run + "-" + i;
        slugs.add(slug);
        long start = System.nanoTime();
        long posted = System.currentTimeMillis();
        String stream = awaitSucceeded(node, config, post(node, config, slug));
        long ended = System.currentTimeMillis();
        double serviceMs = (System.nanoTime() - start) / 1e6;
        // the node tops its spare key pairs up after the task: that must not share the machine with the direct run
        awaitSpareKeys(node, parsed.oauth().spareKeys());
        double directMs = by.provision("pd-" + run + "-" + i);
        if (i >= warmup) {
          service.add(serviceMs);
          direct.add(directMs);
          serviceSplits.add(PhaseSplits.ofStream(stream, posted, ended));
          directSplits.add(by.lastSplits());
        }
      }
      by.dropDatabases(slugs, parsed.wikiDb().namePrefix());
    }
    context.note(id + ": " + measured + " tasks one at a time after " + warmup + " warm-up tasks "
        + "(local executor, 3 commands that echo a line); service " + wholeMs(service) + " ms, direct "
        + wholeMs(direct) + " ms");
    context.note(id + " (" + context.codeLabel() + "), where a task's time goes, median ms per step: "
        + "service (from its SSE stream's journal ids: POST to the first event, each phase to the next, the end "
        + "event to the stream's close; where the key pair is generated ahead, oauth is what is left of that when "
        + "its turn comes) " + PhaseSplits.medians(serviceSplits) + "; direct " + PhaseSplits.medians(directSplits));
    return BenchRow.medianAtMost(id, what, service,
        "ms", "the same operations run directly (cp -a, SQL, JDK keygen + PEM, the commands)", direct, 1.10);
  }

  // ------------------------------------------------------------------ scaling with workers

  private BenchRow scaling(BenchContext context) throws Exception {
    double one = tasksPerSecond(context, 1);
    double four = tasksPerSecond(context, 4);
    double two = tasksPerSecond(context, 2);
    context.note(String.format("provision.scaling (%s): %d tasks whose install command sleeps 1 s: "
        + "1 worker %.2f tasks/s, 2 workers %.2f tasks/s (%.2f×), 4 workers %.2f tasks/s (%.2f×)",
        context.codeLabel(), SCALING_TASKS, one, two, two / one, four, four / one));
    return BenchRow.atLeast("provision.scaling", SCALING_TASKS + " tasks (install sleeps 1 s), 4 workers vs 1",
        four, "tasks/s", "the same with 1 worker", one, 1.6);
  }

  private double tasksPerSecond(BenchContext context, int workers) throws Exception {
    Path farm = context.scratch().resolve("scaling-" + workers);
    JsonObject config = context.baseConfig(farm);
    config.getJsonObject("executor").put("install-commands",
        new JsonArray().add(new JsonArray().add("sh").add("-c").add("sleep 1")));
    worker(config, workers);
    AppConfig parsed = ConfigLoader.fromJson(config.copy());
    String run = context.codeLabel().substring(0, 1) + workers + Long.toString(System.nanoTime() % 1_000_000, 36);
    List<String> slugs = new ArrayList<>();
    double perSecond;
    try (BenchContext.ServiceUnderTest node = context.start(config)) {
      slugs.add("ps-" + run + "-w");
      awaitSucceeded(node, config, post(node, config, slugs.get(0))); // JIT, pools and connections warmed once
      long start = System.nanoTime();
      List<CompletableFuture<Void>> ends = new ArrayList<>();
      for (int i = 0; i < SCALING_TASKS; i++) {
        String slug = "ps-" + run + "-" + i;
        slugs.add(slug);
        String taskId = post(node, config, slug);
        ends.add(CompletableFuture.runAsync(() -> {
          try {
            awaitSucceeded(node, config, taskId);
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).join();
      perSecond = SCALING_TASKS / ((System.nanoTime() - start) / 1e9);
    }
    try (DirectProvision admin = new DirectProvision(parsed, List.of())) {
      admin.dropDatabases(slugs, parsed.wikiDb().namePrefix());
    }
    return perSecond;
  }

  // ------------------------------------------------------------------ the API

  private static void worker(JsonObject config, int concurrency) {
    JsonObject worker = config.getJsonObject("worker", new JsonObject());
    config.put("worker", worker.put("enabled", true).put("concurrency", concurrency));
  }

  /**
   * Waits until the node holds the {@code keeps} spare OAuth key pairs its configuration asks for
   * ({@code wikifarm_oauth_spare_keys} on /metrics); returns at once for a version without the gauge.
   */
  private void awaitSpareKeys(BenchContext.ServiceUnderTest node, int keeps) throws Exception {
    URI metrics = URI.create(node.baseUrl() + "/metrics");
    long deadline = System.nanoTime() + TASK_TIMEOUT.toNanos();
    while (keeps > 0) {
      List<String> lines = http.send(HttpRequest.newBuilder(metrics).timeout(TASK_TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString()).body().lines().toList();
      double ready = HarnessContext.sum(lines, SPARE_KEYS_GAUGE);
      if (lines.stream().noneMatch(l -> l.startsWith(SPARE_KEYS_GAUGE)) || ready >= keeps) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the node's spare key pairs were not topped up in " + TASK_TIMEOUT
            + " (" + ready + " of " + keeps + "); see " + node.log());
      }
      Thread.sleep(50);
    }
  }

  /** Queues a wiki; returns the task id. */
  private String post(BenchContext.ServiceUnderTest node, JsonObject config, String slug) throws Exception {
    int owner = OWNERS.incrementAndGet();
    String body = new JsonObject().put("name", "Bench " + slug).put("slug", slug)
        .put("owner", new JsonObject().put("id", owner).put("username", "Bench" + owner)).encode();
    // the owner in the body and in the forward-auth headers: whichever identity mode the node runs in
    HttpResponse<String> r = http.send(request(node, config, "/wikis")
        .header("X-Auth-User-Id", Integer.toString(owner)).header("X-Auth-User", "Bench" + owner)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 202) {
      throw new IllegalStateException("POST /wikis answered " + r.statusCode() + ": " + r.body());
    }
    return new JsonObject(r.body()).getString("task_id");
  }

  /** Follows the task's SSE stream to its end (the server closes it after the terminal event); returns it. */
  private String awaitSucceeded(BenchContext.ServiceUnderTest node, JsonObject config, String taskId)
      throws Exception {
    HttpResponse<String> r = http.send(request(node, config, "/tasks/" + taskId + "/events")
        .header("Accept", "text/event-stream").timeout(TASK_TIMEOUT).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    String last = null;
    for (String line : r.body().split("\n")) {
      if (line.startsWith("data:") && line.contains("\"type\":\"status\"")) {
        last = line.substring(5).trim();
      }
    }
    if (last == null || !"succeeded".equals(new JsonObject(last).getString("status"))) {
      throw new IllegalStateException("task " + taskId + " did not succeed: " + (last == null ? r.body() : last)
          + "\nservice log: " + node.log());
    }
    return r.body();
  }

  private static HttpRequest.Builder request(BenchContext.ServiceUnderTest node, JsonObject config, String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.baseUrl() + API + path))
        .timeout(TASK_TIMEOUT);
    String token = config.getJsonObject("http", new JsonObject()).getString("api-token");
    if (token != null && !token.isEmpty()) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  private static List<Long> wholeMs(List<Double> values) {
    return values.stream().map(Math::round).toList();
  }
}
