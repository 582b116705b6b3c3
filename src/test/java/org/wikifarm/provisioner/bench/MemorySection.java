package org.wikifarm.provisioner.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
  static final List<String> RECOMMENDED = List.of("-XX:+UseG1GC", "-Xms64m", "-Xmx384m",
      "-XX:G1PeriodicGCInterval=10000", "-XX:-G1PeriodicGCInvokesConcurrent", "-XX:MinHeapFreeRatio=10",
      "-XX:MaxHeapFreeRatio=30", "-XX:TrimNativeHeapInterval=10000");
  /** How long a node idles after load before its RSS is read again: longer than RECOMMENDED's intervals. */
  static final int SETTLE_SECONDS = 30;
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
      List.of("-XX:+UseG1GC", "-Xms64m", "-Xmx384m", "-XX:G1PeriodicGCInterval=10000",
          "-XX:-G1PeriodicGCInvokesConcurrent", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30"));
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

  /** Idle after start, after load, settled after load: three rows. */
  private List<BenchRow> lifeCycle(BenchContext context, String idSuffix, String flagsText, List<String> flags)
      throws Exception {
    double idle;
    double loaded;
    double settled;
    try (ServiceUnderTest node = start(context, flags)) {
      Thread.sleep(IDLE_SECONDS * 1000L);
      idle = mib(node);
      HttpListsSection.measureOrNote(context, node, FEATURED);
      HttpListsSection.measureOrNote(context, node, OWNER);
      loaded = mib(node);
      Thread.sleep(settleSeconds(context) * 1000L);
      settled = mib(node);
    }
    return List.of(
        BenchRow.absoluteAtMost("memory.idle-rss" + idSuffix, "idle RSS after start, " + flagsText, idle, "MiB",
            IDLE_CEILING_MIB),
        BenchRow.info("memory.rss-after-load" + idSuffix, "RSS right after the HTTP load, " + flagsText, loaded,
            "MiB"),
        settledRow(idSuffix, "RSS " + settleSeconds(context) + " s after the HTTP load, " + flagsText, settled,
            idle, !flags.isEmpty()));
  }

  /**
   * "Returns near idle after load", made measurable: back under the idle ceiling of {@value #IDLE_CEILING_MIB}
   * MiB; the ratio to the idle figure of the same node is shown beside it. Judged only for the recommended
   * flags; the defaults' row is context (a JVM left to size itself keeps what it grew).
   */
  private static BenchRow settledRow(String idSuffix, String what, double settled, double idle, boolean judged) {
    return new BenchRow("memory.rss-settled" + idSuffix, what, settled, "MiB", "idle RSS after start", idle,
        settled / idle, judged ? "≤ " + IDLE_CEILING_MIB + " MiB (the idle ceiling)" : "", settled <= IDLE_CEILING_MIB);
  }

  private void candidate(BenchContext context, List<String> flags) throws Exception {
    try (ServiceUnderTest node = start(context, flags)) {
      Thread.sleep(IDLE_SECONDS * 1000L);
      double idle = mib(node);
      double featured = HttpListsSection.measureOrNote(context, node, FEATURED);
      double loaded = mib(node);
      Thread.sleep(SETTLE_SECONDS * 1000L);
      context.note(String.format(Locale.ROOT, "candidate flags `%s`: idle %.0f MiB, featured list %.0f req/s, "
          + "%.0f MiB after it, %.0f MiB %d s later", String.join(" ", flags), idle, featured, loaded, mib(node),
          SETTLE_SECONDS));
    }
  }

  /** How long the node idles after the load before its RSS is read again; shorter when quick. */
  private static int settleSeconds(BenchContext context) {
    return context.quick() ? 10 : SETTLE_SECONDS;
  }

  private static ServiceUnderTest start(BenchContext context, List<String> flags) throws Exception {
    return context.start(context.baseConfig(context.scratch().resolve("farm")), flags.toArray(String[]::new));
  }

  private static double mib(ServiceUnderTest node) throws Exception {
    return node.rssKiB() / 1024.0;
  }
}
