package org.wikifarm.provisioner.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;

/**
 * The SSE rows of issue 15. Delivery: 1,000 / 5,000 / 10,000 subscribers over four running tasks (local
 * executor; the install command waits for a gate file, so every subscriber is connected before the measured
 * events, then prints a line every 100 ms), p99 of receive time minus the journal id's timestamp, against
 * {@link PlainSseBroadcast} (its own JVM) sending the same shape of stream to as many subscribers through the
 * same client ({@link SseLoad}), each frame stamped when its event happened, before any fan-out, on both sides.
 * Both sides first run {@value #WARM_UP_ROUNDS} unrecorded rounds of 1,000 (a fresh JVM's first fan-outs run
 * interpreted; their p99s go to the notes). Each size is then measured {@value #ROUNDS} times, the broadcast's
 * round and the service's alternating, each going first in turn (a drift of the machine's load hits both), and
 * each side's figure is the median of its rounds' p99s: one round's p99 at 5,000 or 10,000 moved by ±40 % and at
 * times far more between back-to-back rounds of the same code (a young-generation pause of 50–100 ms lands in a
 * round's last fan-out or not); every round is in the notes. A second note per size says where each side's p99
 * comes from: the median length of one frame's fan-out (first to last subscriber, as the client saw it), and the
 * CPU per delivered frame of the client and of everything else on the machine (the service's side includes what
 * its tasks do meanwhile: MariaDB, Redis, their commands). The broadcast's JVM stops before the rows below.
 * Then 5,000 subscribers connecting at once to four gated tasks (refused = anything but 200), the heap per idle
 * connection (live heap after a full GC with those streams connected, minus before them, via
 * {@code jcmd GC.class_histogram}), and the RSS {@value MemorySection#SETTLE_SECONDS} s
 * after the streams are gone ("near idle": at most 1.5× the RSS right after start), judged for the flags
 * docs/DEPLOYMENT.md recommends, given for context with the JVM's defaults.
 */
public final class SseSection implements BenchSection {
  private static final int[] SUBSCRIBERS = {1_000, 5_000, 10_000};
  private static final int TASKS = 4;
  private static final int BURST = 5_000;
  private static final int WAVE = 500;
  /** Subscribers of each unrecorded warm-up round, on both sides: a fresh JVM's first fan-outs run interpreted. */
  private static final int WARM_UP = 1_000;
  /**
   * Warm-up rounds before the recorded ones, on both sides. One was not enough for the service, whose rounds
   * run real tasks through far more code than the broadcast's loop: on one JVM, successive 1,000-subscriber
   * rounds measured 148 → 39 → 40, 166 → 83 → 32 and 116 → 120 → 72 → 41 → 37 ms; a node in service is warm.
   */
  private static final int WARM_UP_ROUNDS = 3;
  /**
   * Recorded rounds per subscriber count and side; the row takes each side's median p99. Three left the median
   * to one outlier: two code versions that were the same commit measured 1.47× and 1.68× at 5,000, and one
   * side's 10,000 rounds went 908, 666 and 282 ms. Five still let the 10,000 row read 1.61× in one run and
   * 1.06× in another on the same fan-out code (the broadcast's own rounds spanned 203–286 ms in the first).
   */
  private static final int ROUNDS = 7;
  /** The key of a histogram's total in {@link #liveHeap}. */
  private static final String TOTAL = "(total)";

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @Override
  public String name() {
    return "sse";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    Path scratch = context.scratch();
    Path gates = Files.createDirectories(scratch.resolve("gates"));
    JsonObject config = context.baseConfig(Files.createDirectories(scratch.resolve("farm")));
    config.getJsonObject("worker").put("enabled", true).put("concurrency", TASKS);
    int lines = context.quick() ? 8 : 15;
    config.getJsonObject("executor").put("install-commands", new JsonArray().add(new JsonArray().add("sh").add("-c")
        .add("while [ ! -e '" + gates + "'/\"$WIKIFARM_TASK_ID\" ]; do sleep 0.05; done; i=0; while [ $i -lt "
            + lines + " ]; do echo step $i; i=$((i+1)); sleep 0.1; done")));

    List<BenchRow> rows = new ArrayList<>();
    try (BenchContext.ServiceUnderTest node = context.start(config)) {
      double idleMiB = node.rssKiB() / 1024.0;
      try (PlainBroadcast plain = PlainBroadcast.start(scratch, lines)) { // gone before the burst and memory rows
        rows.addAll(deliveryRows(context, node, plain, gates));
        context.note("sse " + context.codeLabel() + ": the plain broadcast's heap per idle connection: "
            + plain.heapPerConnection());
      }
      rows.add(BenchRow.absoluteAtMost("sse.burst.refused", "5,000 subscribers connecting at once, refused",
          burst(node, gates), "", 0));
      rows.add(BenchRow.absoluteAtMost("sse.heap-per-connection", "heap per idle SSE connection",
          idleHeapKiB(context, node, gates), "KiB", 16));
      Thread.sleep(MemorySection.SETTLE_SECONDS * 1000L); // the streams are closed: what the node gives back
      double afterMiB = node.rssKiB() / 1024.0;
      rows.add(BenchRow.nearIdle("memory.rss-after-sse", "RSS " + MemorySection.SETTLE_SECONDS
          + " s after the SSE runs, default JVM flags", afterMiB, idleMiB).unjudged());
    }
    rows.add(rssAfterStreamsWithRecommendedFlags(config, context, gates));
    return rows;
  }

  /**
   * The same "returns near idle" question for a node started with the JVM flags DEPLOYMENT.md recommends: 5,000
   * streams connected (in waves) to four gated tasks, the tasks ended, the RSS {@value MemorySection#SETTLE_SECONDS} s later.
   */
  private BenchRow rssAfterStreamsWithRecommendedFlags(JsonObject config, BenchContext context, Path gates)
      throws Exception {
    try (BenchContext.ServiceUnderTest node = context.start(config,
        MemorySection.RECOMMENDED.toArray(String[]::new))) {
      double idleMiB = node.rssKiB() / 1024.0;
      List<String> tasks = createTasks(node, "flags");
      try (SseLoad load = new SseLoad(BURST)) {
        List<SseLoad.Stream> streams = load.openInWaves(urls(node, tasks, BURST), WAVE);
        openGates(gates, tasks);
        SseLoad.awaitEnds(streams, 120);
      }
      Thread.sleep(MemorySection.SETTLE_SECONDS * 1000L);
      double afterMiB = node.rssKiB() / 1024.0;
      return BenchRow.nearIdle("memory.rss-after-sse.recommended", "RSS " + MemorySection.SETTLE_SECONDS
          + " s after 5,000 SSE streams, "
          + String.join(" ", MemorySection.RECOMMENDED), afterMiB, idleMiB);
    }
  }

  /** The p99 rows: warm-up rounds on both sides, then {@value #ROUNDS} alternating rounds of each size. */
  private List<BenchRow> deliveryRows(BenchContext context, BenchContext.ServiceUnderTest node, PlainBroadcast plain,
      Path gates) throws Exception {
    List<Long> warmUp = new ArrayList<>();
    List<Long> plainWarmUp = new ArrayList<>();
    for (int i = 0; i < WARM_UP_ROUNDS; i++) { // JIT and pools warmed on both sides; not recorded
      plainWarmUp.add(Math.round(plain.round(WARM_UP).p99()));
      warmUp.add(Math.round(deliveryRound(node, gates, WARM_UP, "warm" + i).p99()));
    }
    context.note("sse " + context.codeLabel() + ": warm-up rounds of " + WARM_UP + " subscribers (not recorded), "
        + "p99 " + warmUp + " ms; the plain broadcast's " + plainWarmUp + " ms");
    List<BenchRow> rows = new ArrayList<>();
    for (int n : SUBSCRIBERS) {
      List<Round> service = new ArrayList<>();
      List<Round> broadcast = new ArrayList<>();
      for (int r = 0; r < ROUNDS; r++) {
        if (r % 2 == 0) { // who goes first alternates too: neither side always follows the other's round
          broadcast.add(plain.round(n));
        }
        service.add(deliveryRound(node, gates, n, "r" + n + "-" + r));
        if (r % 2 == 1) {
          broadcast.add(plain.round(n));
        }
      }
      rows.add(BenchRow.medianAtMost("sse.p99." + n, "SSE " + String.format("%,d", n) + " subscribers, p99 "
          + "delivery (median of " + ROUNDS + " rounds)", each(service, Round::p99), "ms",
          "a minimal Vert.x SSE broadcast", each(broadcast, Round::p99), 1.5));
      context.note("sse " + context.codeLabel() + ": " + n + " subscribers, p99 per round "
          + each(service, Round::p99) + " ms, the plain broadcast's " + each(broadcast, Round::p99) + " ms; over the "
          + ROUNDS + " rounds " + service.stream().mapToLong(Round::counted).sum() + " frames counted, "
          + service.stream().mapToLong(Round::unended).sum() + " streams without their terminal event within 120 s");
      context.note("sse " + context.codeLabel() + ": " + n + " subscribers, where the p99 comes from, per round: "
          + "one frame's fan-out (first to last subscriber, median over frames) " + each(service, Round::fanOutMs)
          + " ms, the plain broadcast's " + each(broadcast, Round::fanOutMs) + " ms; CPU per delivered frame of "
          + "everything but the client (server, MariaDB, Redis, the tasks' commands, the kernel) "
          + each(service, Round::serverMicrosPerFrame) + " µs, the plain broadcast's "
          + each(broadcast, Round::serverMicrosPerFrame) + " µs; the client's " + each(service,
          Round::clientMicrosPerFrame) + " µs, with the plain broadcast " + each(broadcast,
          Round::clientMicrosPerFrame) + " µs");
    }
    return rows;
  }

  /**
   * What one delivery round measured, on either side: the p99, and where it comes from — the length of one
   * frame's fan-out, and the CPU the machine spent per delivered frame from the first counted frame's moment to
   * the streams' end: the client's (this JVM) and everything else's (the machine's busy time minus the client's).
   * On two cores shared by both, what the server side spends is what the client waits for.
   */
  private record Round(double p99, long counted, long unended, double fanOutMs, double clientMicrosPerFrame,
      double serverMicrosPerFrame) {}

  /** CPU counters at a round's start; {@link #end} makes the round's figures from them. */
  private record RoundStart(double clientMillis, double machineMillis) {
    static RoundStart now() throws Exception {
      return new RoundStart(ProcessCpu.millis(ProcessHandle.current().pid()), ProcessCpu.machineBusyMillis());
    }

    Round end(SseLoad load, long unended) throws Exception {
      double client = ProcessCpu.millis(ProcessHandle.current().pid()) - clientMillis;
      double server = ProcessCpu.machineBusyMillis() - machineMillis - client;
      long counted = load.counted(); // a sum over the whole latency histogram: read once
      long frames = Math.max(1, counted);
      return new Round(load.p99(), counted, unended, load.medianFanOutMs(),
          Math.round(client * 1000 / frames * 10) / 10.0, Math.round(server * 1000 / frames * 10) / 10.0);
    }
  }

  private static List<Double> each(List<Round> rounds, ToDoubleFunction<Round> figure) {
    return rounds.stream().map(figure::applyAsDouble).toList();
  }

  /** One round: {@code n} streams on four new gated tasks, the gates opened, the streams followed to their end. */
  private Round deliveryRound(BenchContext.ServiceUnderTest node, Path gates, int n, String name) throws Exception {
    List<String> tasks = createTasks(node, name);
    try (SseLoad load = new SseLoad(n)) {
      List<SseLoad.Stream> streams = load.openInWaves(urls(node, tasks, n), WAVE);
      load.countFromNow();
      RoundStart start = RoundStart.now();
      openGates(gates, tasks);
      return start.end(load, SseLoad.awaitEnds(streams, 120));
    }
  }

  /** {@link PlainSseBroadcast} in its own JVM, kept running while the service's rounds alternate with its own. */
  private static final class PlainBroadcast implements AutoCloseable {
    private final PlainServer server;
    private final int progressEvents;

    private PlainBroadcast(PlainServer server, int progressEvents) {
      this.server = server;
      this.progressEvents = progressEvents;
    }

    static PlainBroadcast start(Path scratch, int progressEvents) throws Exception {
      return new PlainBroadcast(PlainServer.start(scratch.resolve("plain-broadcast.log"), PlainSseBroadcast.class),
          progressEvents);
    }

    /** One round: {@code n} streams over four topics, the run started, the streams followed to their end. */
    Round round(int n) throws Exception {
      List<String> urls = new ArrayList<>();
      for (int s = 0; s < n; s++) {
        urls.add(server.baseUrl() + "/events/t" + s % TASKS);
      }
      try (SseLoad load = new SseLoad(n)) {
        List<SseLoad.Stream> streams = load.openInWaves(urls, WAVE);
        load.countFromNow();
        RoundStart start = RoundStart.now();
        post(server.baseUrl() + "/run?progress=" + progressEvents + "&every=200", "");
        return start.end(load, SseLoad.awaitEnds(streams, 120));
      }
    }

    /**
     * For the heap row's note: the broadcast's live heap per idle stream, with {@value #BURST} streams connected
     * (they end with one run).
     */
    HeapPerStream heapPerConnection() throws Exception {
      List<String> urls = new ArrayList<>();
      for (int s = 0; s < BURST; s++) {
        urls.add(server.baseUrl() + "/events/t" + s % TASKS);
      }
      return HeapPerStream.measure(server.pid(), urls, () -> post(server.baseUrl() + "/run?progress=1&every=10", ""));
    }

    @Override
    public void close() throws Exception {
      server.close();
    }
  }

  /** 5,000 streams opened at once on four gated tasks: how many were not answered 200. */
  private int burst(BenchContext.ServiceUnderTest node, Path gates) throws Exception {
    List<String> tasks = createTasks(node, "burst");
    try (SseLoad load = new SseLoad(BURST)) {
      List<SseLoad.Stream> streams = new ArrayList<>();
      for (String url : urls(node, tasks, BURST)) {
        streams.add(load.open(url));
      }
      int refused = 0;
      for (SseLoad.Stream stream : streams) {
        try {
          refused += stream.status().toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS) == 200 ? 0 : 1;
        } catch (Exception e) {
          refused++;
        }
      }
      openGates(gates, tasks);
      SseLoad.awaitEnds(streams, 120); // the tasks end before the next measurement
      return refused;
    }
  }

  /**
   * The live heap per stream with 5,000 connected (in waves, so none is refused) to four gated tasks, in a step
   * of its own: its full GCs must not fall into a latency round, nor refused requests' garbage into the figure.
   */
  private double idleHeapKiB(BenchContext context, BenchContext.ServiceUnderTest node, Path gates) throws Exception {
    List<String> tasks = createTasks(node, "heap");
    HeapPerStream heap = HeapPerStream.measure(node.pid(), urls(node, tasks, BURST), () -> openGates(gates, tasks));
    context.note("sse " + context.codeLabel() + ": heap per idle connection by class, the largest (bytes): "
        + heap.largest());
    return heap.kiB();
  }

  /** The live heap that idle streams added, per stream: in all, and the classes that grew most. */
  record HeapPerStream(double kiB, String largest) {
    /** What ends the streams (a run of the broadcast, the tasks' gates opened). */
    interface Ending {
      void run() throws Exception;
    }

    /**
     * Opens the streams (in waves, so none is refused), reads the live heap of {@code pid} before and with them
     * connected, then ends them with {@code end} and waits until they have.
     */
    static HeapPerStream measure(long pid, List<String> urls, Ending end) throws Exception {
      Map<String, Long> before = liveHeap(pid);
      try (SseLoad load = new SseLoad(urls.size())) {
        List<SseLoad.Stream> streams = load.openInWaves(urls, WAVE);
        Map<String, Long> connected = liveHeap(pid);
        end.run();
        SseLoad.awaitEnds(streams, 120);
        return new HeapPerStream((connected.get(TOTAL) - before.get(TOTAL)) / 1024.0 / urls.size(),
            largestGrowth(before, connected, urls.size(), 12));
      }
    }

    @Override
    public String toString() {
      return String.format("%.2f KiB; the largest (bytes): %s", kiB, largest);
    }
  }

  /** The classes whose live bytes grew most per stream, largest first, as "class bytes". */
  private static String largestGrowth(Map<String, Long> before, Map<String, Long> after, int streams, int top) {
    return after.entrySet().stream().filter(e -> !e.getKey().equals(TOTAL))
        .map(e -> Map.entry(e.getKey(), (e.getValue() - before.getOrDefault(e.getKey(), 0L)) / streams))
        .filter(e -> e.getValue() > 0).sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
        .map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
  }

  private List<String> createTasks(BenchContext.ServiceUnderTest node, String round) throws Exception {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < TASKS; i++) {
      String slug = "sse-" + round + "-" + i + "-" + System.nanoTime() % 1_000_000;
      JsonObject body = new JsonObject().put("name", "SSE " + slug).put("slug", slug)
          .put("owner", new JsonObject().put("id", 1).put("username", "Owner1"));
      HttpResponse<String> created = post(node.baseUrl() + "/provisioner/v1/wikis", body.encode());
      if (created.statusCode() != 202) {
        throw new IllegalStateException("POST /wikis answered " + created.statusCode() + ": " + created.body());
      }
      ids.add(new JsonObject(created.body()).getString("task_id"));
    }
    return ids;
  }

  private static List<String> urls(BenchContext.ServiceUnderTest node, List<String> tasks, int n) {
    List<String> urls = new ArrayList<>(n);
    for (int s = 0; s < n; s++) {
      urls.add(node.baseUrl() + "/provisioner/v1/tasks/" + tasks.get(s % tasks.size()) + "/events");
    }
    return urls;
  }

  private static void openGates(Path gates, List<String> tasks) throws Exception {
    for (String task : tasks) {
      Files.writeString(gates.resolve(task), "go");
    }
  }

  private static HttpResponse<String> post(String url, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The live bytes per class after the full GC that {@code jcmd GC.class_histogram} runs, and their sum (its
   * "Total" line) under {@link #TOTAL}.
   */
  private static Map<String, Long> liveHeap(long pid) throws Exception {
    Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.class_histogram").redirectErrorStream(true)
        .start();
    String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    jcmd.waitFor(60, TimeUnit.SECONDS);
    Map<String, Long> bytes = new HashMap<>();
    for (String line : output.split("\n")) {
      String[] fields = line.trim().split("\\s+"); // "  1:  instances  bytes  class (module)" or "Total …"
      if (line.startsWith("Total")) {
        bytes.put(TOTAL, Long.parseLong(fields[fields.length - 1]));
      } else if (fields.length >= 4 && fields[0].endsWith(":")) {
        bytes.merge(fields[3], Long.parseLong(fields[2]), Long::sum);
      }
    }
    if (!bytes.containsKey(TOTAL)) {
      throw new IllegalStateException("jcmd GC.class_histogram gave no total: " + output.lines().limit(5).toList());
    }
    return bytes;
  }
}
