package org.wikifarm.provisioner.bench;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.EmbeddedRedis;
import org.wikifarm.provisioner.embedded.TestConfigs;

/**
 * The harness's {@link BenchContext} for one section and one code version: the shared servers, that version's
 * fat jar, a scratch tree of its own and the notes it collects. Every service it started is stopped when the
 * section ends ({@link #stopAll}), even when the section forgot or threw.
 */
final class HarnessContext implements BenchContext {
  /** wrk's threads and the warm-up every URL gets before it is measured (issue 15's settings). */
  static final int WRK_THREADS = 2;
  static final Duration WARM_UP = Duration.ofSeconds(3);
  /** Only these variables reach a service JVM: its configuration comes from --conf alone. */
  static final Set<String> KEPT_ENVIRONMENT = Set.of("PATH", "HOME", "LANG", "TMPDIR", "TZ");
  private static final AtomicInteger SEQUENCE = new AtomicInteger();

  private final String codeLabel;
  private final String sectionName;
  private final BenchOptions options;
  private final Path jar;
  private final Path root;
  private final EmbeddedMariaDb mariaDb;
  private final EmbeddedRedis redis;
  private final List<String> notes;
  private final List<Service> started = new ArrayList<>();

  HarnessContext(String codeLabel, String sectionName, BenchOptions options, Path jar, Path root,
      EmbeddedMariaDb mariaDb, EmbeddedRedis redis, List<String> notes) {
    this.codeLabel = codeLabel;
    this.sectionName = sectionName;
    this.options = options;
    this.jar = jar;
    this.root = root;
    this.mariaDb = mariaDb;
    this.redis = redis;
    this.notes = notes;
  }

  @Override
  public String codeLabel() {
    return codeLabel;
  }

  @Override
  public boolean quick() {
    return options.quick();
  }

  @Override
  public Duration measureFor() {
    return options.quick() ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
  }

  @Override
  public Path scratch() throws Exception {
    return Files.createDirectories(root.resolve(sectionName + "-" + SEQUENCE.incrementAndGet()));
  }

  @Override
  public EmbeddedMariaDb mariaDb() {
    return mariaDb;
  }

  @Override
  public EmbeddedRedis redis() {
    return redis;
  }

  /**
   * The suite's test configuration (only keys the baseline commit knows too: it rejects unknown ones) on the
   * harness's servers, with the worker off and no create rate limit.
   */
  @Override
  public JsonObject baseConfig(Path farmRoot) throws Exception {
    JsonObject config = TestConfigs.json(farmRoot, mariaDb, redis.url(),
        "bench-" + codeLabel + "-" + SEQUENCE.incrementAndGet() + ":");
    config.getJsonObject("worker").put("enabled", false);
    return config;
  }

  /**
   * {@code BENCH_SERVICE_JVM_FLAGS} (for profiling a run, see scripts/bench/run) with {@code %n} replaced by
   * {@code name}: the JVM flags added to every service and plain baseline server a section starts.
   */
  static List<String> profilingFlags(String name) {
    String extra = System.getenv("BENCH_SERVICE_JVM_FLAGS");
    return extra == null || extra.isBlank() ? List.of() : List.of(extra.trim().replace("%n", name).split("\\s+"));
  }

  @Override
  public ServiceUnderTest start(JsonObject config, String... jvmFlags) throws Exception {
    int port = EmbeddedMariaDb.freePort();
    JsonObject json = config.copy();
    json.getJsonObject("http").put("bind", "127.0.0.1:" + port);
    Path dir = scratch();
    Path conf = dir.resolve("service.yaml");
    Files.writeString(conf, json.encodePrettily());
    Path log = dir.resolve("service.log");
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.addAll(List.of(jvmFlags));
    command.addAll(profilingFlags(Integer.toString(port)));
    command.addAll(List.of("-jar", jar.toString(), "serve", "--conf", conf.toString()));
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().retainAll(KEPT_ENVIRONMENT);
    Service service = new Service(builder.start(), "http://127.0.0.1:" + port, log);
    synchronized (started) {
      started.add(service);
    }
    service.awaitHealthy(Duration.ofSeconds(90));
    return service;
  }

  @Override
  public WrkResult wrk(String url, int connections, Path luaScript) throws Exception {
    return wrk(url, connections, luaScript, measureFor());
  }

  private WrkResult wrk(String url, int connections, Path luaScript, Duration duration) throws Exception {
    return Wrk.run(url, WRK_THREADS, connections, duration, luaScript);
  }

  /**
   * wrk for {@link #WARM_UP}, then a wait until the node has no request in flight: wrk stops with up to
   * {@code connections} requests still queued in the node (for the DB pool, say), and the measurement must not
   * start behind them.
   */
  @Override
  public void warmUp(String url, int connections, Path luaScript) throws Exception {
    wrk(url, connections, luaScript, WARM_UP);
    awaitIdle(URI.create(url).resolve("/metrics"));
  }

  @Override
  public void warmUpPlain(String url, int connections, Path luaScript) throws Exception {
    wrk(url, connections, luaScript, WARM_UP);
    Thread.sleep(1000);
  }

  /**
   * Polls the node's /metrics (every version has it) until only the poll itself is in flight and no pool has a
   * waiter: a request whose client has gone no longer counts as active, but its query still waits for the DB
   * pool ({@code vertx_pool_queue_pending}). Gives up after two minutes, when the figure would be meaningless.
   */
  private static void awaitIdle(URI metrics) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (System.nanoTime() < deadline) {
      List<String> lines = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString()).body().lines().toList();
      if (sum(lines, "vertx_http_server_active_requests") <= 1 && sum(lines, "vertx_pool_queue_pending") == 0) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("the node still had requests in flight 2 minutes after the warm-up");
  }

  /** The sum of a metric's series in a Prometheus scrape (0 when it has none). */
  static double sum(List<String> metricLines, String name) {
    return metricLines.stream().filter(l -> l.startsWith(name))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  @Override
  public void note(String line) {
    synchronized (notes) {
      notes.add(sectionName + " (" + codeLabel + "): " + line);
    }
  }

  /** The JVM that runs every service: the runner's own. */
  static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Stops every service this context started that is still running. */
  void stopAll() {
    List<Service> services;
    synchronized (started) {
      services = List.copyOf(started);
    }
    for (Service s : services) {
      try {
        s.close();
      } catch (Exception e) {
        note("could not stop service pid " + s.pid() + ": " + e);
      }
    }
  }

  /** A service JVM started from the fat jar. */
  private static final class Service implements ServiceUnderTest {
    private final Process process;
    private final String baseUrl;
    private final Path log;

    Service(Process process, String baseUrl, Path log) {
      this.process = process;
      this.baseUrl = baseUrl;
      this.log = log;
    }

    @Override
    public String baseUrl() {
      return baseUrl;
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public long rssKiB() throws Exception {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      throw new IllegalStateException("no VmRSS for pid " + process.pid());
    }

    @Override
    public Path log() {
      return log;
    }

    void awaitHealthy(Duration timeout) throws Exception {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IllegalStateException("the service exited with " + process.exitValue() + "; its log: " + log
              + "\n" + tail());
        }
        try {
          HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/health"))
              .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) {
            return;
          }
        } catch (java.io.IOException notYet) {
          // still starting
        }
        Thread.sleep(100);
      }
      close();
      throw new IllegalStateException("the service was not healthy within " + timeout.toSeconds() + " s; its log: "
          + log + "\n" + tail());
    }

    private String tail() throws Exception {
      List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** SIGTERM and wait (the graceful path), SIGKILL only if it hangs. */
    @Override
    public void close() throws Exception {
      if (!process.isAlive()) {
        return;
      }
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
