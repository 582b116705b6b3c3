package org.wikifarm.provisioner.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.wikifarm.provisioner.bench.BenchContext.ServiceUnderTest;

/**
 * The node's resident memory (VmRSS): after start and a few idle seconds, after HTTP load on the read
 * endpoints, and after {@value #SETTLE_SECONDS} s idle again — with the flags docs/DEPLOYMENT.md recommends (what
 * the systemd unit and the container run, so the goals are judged on them) and, for context, with the JVM's
 * defaults. On the current code it also measures the candidate flag sets that recommendation was chosen from
 * (idle RSS and the featured list's throughput), so the choice can be checked.
 */
public final class MemorySection implements BenchSection {
  /** The flags docs/DEPLOYMENT.md recommends; keep the two in step. */
  static final List<String> RECOMMENDED = List.of("-XX:+UseG1GC", "-Xmx384m", "-XX:G1PeriodicGCInterval=30000",
      "-XX:-G1PeriodicGCInvokesConcurrent", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30",
      "-XX:TrimNativeHeapInterval=10000");
  /**
   * How long a node idles after load before its RSS is read again, quick or not: RECOMMENDED's periodic
   * collection starts up to two of its 30 s intervals after the last collection, the native trim up to 10 s later.
   */
  static final int SETTLE_SECONDS = 75;
  /** What RECOMMENDED was chosen from: one change at a time, then together. */
  private static final List<List<String>> CANDIDATES = List.of(
      List.of("-Xmx256m"),
      List.of("-Xms64m", "-Xmx256m"),
      List.of("-Xms64m", "-Xmx256m", "-XX:G1PeriodicGCInterval=10000"),
      List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx256m"),
      List.of("-Xms64m", "-Xmx256m", "-XX:TieredStopAtLevel=1"),
      List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx384m", "-Xss512k", "-XX:ReservedCodeCacheSize=64m",
          "-XX:MaxMetaspaceSize=128m"),
      List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx384m"), // the recommendation before the SSE memory rows
      // RECOMMENDED with the small initial heap it first had: G1 then ran the read load ~35 % slower
      Stream.concat(Stream.of("-Xms64m"), RECOMMENDED.stream()).toList());
  /** A candidate's settling time: its figures are context, and nine of them at SETTLE_SECONDS would take long. */
  private static final int CANDIDATE_SETTLE_SECONDS = 30;
  private static final int IDLE_SECONDS = 10;
  /** Issue 15's goal for a node's idle RSS. */
  private static final int IDLE_CEILING_MIB = 200;
  private static final String FEATURED = "/provisioner/v1/wikis?featured=1&limit=20";
  private static final String OWNER = "/provisioner/v1/users/" + BenchDatabase.SAMPLE_OWNER + "/wikis";

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    List<BenchRow> rows = new ArrayList<>();
    rows.addAll(lifeCycle(context, "", "default JVM flags", List.of()));
    rows.addAll(lifeCycle(context, ".recommended", String.join(" ", RECOMMENDED), RECOMMENDED));
    if (context.quick()) {
      context.note("--quick: the candidate JVM flag sets were not measured");
    } else if (context.codeLabel().equals("current")) {
      for (List<String> flags : CANDIDATES) {
        candidate(context, flags);
      }
    }
    return rows;
  }

  /**
   * Idle after start, after load, settled after load: three rows, judged for the recommended flags; with the
   * JVM's defaults they are context (a JVM left to size itself keeps what it grew).
   */
  private List<BenchRow> lifeCycle(BenchContext context, String idSuffix, String flagsText, List<String> flags)
      throws Exception {
    Sample sample = sample(context, flags, SETTLE_SECONDS, List.of(FEATURED, OWNER));
    context.note(String.format(Locale.ROOT, "memory %s: the featured list with %s: %.0f req/s (what these flags "
        + "cost in speed; the speed sections run with the defaults)", context.codeLabel(), flagsText,
        sample.featured()));
    List<BenchRow> rows = List.of(
        BenchRow.absoluteAtMost("memory.idle-rss" + idSuffix, "idle RSS after start, " + flagsText, sample.idle(),
            "MiB", IDLE_CEILING_MIB),
        BenchRow.info("memory.rss-after-load" + idSuffix, "RSS right after the HTTP load, " + flagsText,
            sample.loaded(), "MiB"),
        // "returns near idle after load", made measurable: back under the idle ceiling, the ratio to this node's
        // idle figure beside it
        new BenchRow("memory.rss-settled" + idSuffix, "RSS " + SETTLE_SECONDS + " s after the HTTP load, "
            + flagsText, sample.settled(), "MiB", "idle RSS after start", sample.idle(),
            sample.settled() / sample.idle(), "≤ " + IDLE_CEILING_MIB + " MiB (the idle ceiling)",
            sample.settled() <= IDLE_CEILING_MIB));
    return flags.isEmpty() ? rows.stream().map(BenchRow::unjudged).toList() : rows;
  }

  private void candidate(BenchContext context, List<String> flags) throws Exception {
    Sample sample = sample(context, flags, CANDIDATE_SETTLE_SECONDS, List.of(FEATURED));
    context.note(String.format(Locale.ROOT, "candidate flags `%s`: idle %.0f MiB, featured list %.0f req/s, "
        + "%.0f MiB after it, %.0f MiB %d s later", String.join(" ", flags), sample.idle(), sample.featured(),
        sample.loaded(), sample.settled(), CANDIDATE_SETTLE_SECONDS));
  }

  /** One node's RSS (MiB) idle, right after the load, and settled; the featured list's req/s under that load. */
  private record Sample(double idle, double featured, double loaded, double settled) {}

  /** Starts a node with {@code flags}, idles, loads each path in turn (the first is the featured list), settles. */
  private static Sample sample(BenchContext context, List<String> flags, int settleSeconds, List<String> load)
      throws Exception {
    try (ServiceUnderTest node = start(context, flags)) {
      Thread.sleep(IDLE_SECONDS * 1000L);
      double idle = mib(node);
      double featured = HttpListsSection.measureOrNote(context, node, load.get(0));
      for (String path : load.subList(1, load.size())) {
        HttpListsSection.measureOrNote(context, node, path);
      }
      double loaded = mib(node);
      Thread.sleep(settleSeconds * 1000L);
      return new Sample(idle, featured, loaded, mib(node));
    }
  }

  private static ServiceUnderTest start(BenchContext context, List<String> flags) throws Exception {
    return context.start(context.baseConfig(context.scratch().resolve("farm")), flags.toArray(String[]::new));
  }

  private static double mib(ServiceUnderTest node) throws Exception {
    return node.rssKiB() / 1024.0;
  }
}
