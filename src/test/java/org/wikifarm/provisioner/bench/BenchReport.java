package org.wikifarm.provisioner.bench;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * docs/BENCHMARKS.md of one run: the prose header (a template, kept as written), the machine and its load, the
 * table joining each row's baseline-code and current-code figures by id, and the notes. Overwritten every run.
 */
final class BenchReport {
  private final BenchOptions options;
  private final Map<String, BenchRow[]> rows = new LinkedHashMap<>(); // id → {baseline, current}
  private final List<String> notes = new ArrayList<>();
  private final List<String> machine = new ArrayList<>();
  private String loadBefore;
  private String date;

  BenchReport(BenchOptions options) {
    this.options = options;
  }

  List<String> notes() {
    return notes;
  }

  void note(String line) {
    synchronized (notes) {
      notes.add(line);
    }
  }

  void machineBefore() throws Exception {
    date = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    loadBefore = loadAverage();
    machine.add("cores: " + Runtime.getRuntime().availableProcessors() + " (" + firstValue("/proc/cpuinfo",
        "model name") + ")");
    long memKiB = Long.parseLong(firstValue("/proc/meminfo", "MemTotal").replaceAll("[^0-9]", ""));
    machine.add(String.format(Locale.ROOT, "RAM: %.1f GiB", memKiB / 1024.0 / 1024.0));
    machine.add("kernel: " + Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip());
    machine.add("java: " + javaVersion());
  }

  void servers(String mariaDbVersion, String redisVersion) {
    machine.add("MariaDB " + mariaDbVersion + ", Redis " + redisVersion + " (on loopback, started by the harness)");
  }

  void machineAfter(Duration took) throws Exception {
    machine.add("load average (1/5/15 min) before: " + loadBefore + ", after: " + loadAverage());
    machine.add("the run took " + took.toMinutes() + " min " + took.toSecondsPart() + " s");
  }

  void add(String codeLabel, boolean perCodeVersion, List<BenchRow> measured) {
    for (BenchRow row : measured) {
      BenchRow[] pair = rows.computeIfAbsent(row.id(), id -> new BenchRow[2]);
      pair[codeLabel.equals("baseline") && perCodeVersion ? 0 : 1] = row;
    }
  }

  void write() throws Exception {
    StringBuilder md = new StringBuilder(header());
    md.append("\n## The run of ").append(date).append("\n\n");
    md.append("- code: current tree `").append(options.currentCommit()).append(options.currentDirty()
        ? "` with uncommitted changes" : "`").append("; baseline (\"now\") `").append(options.baselineRef())
        .append("` = `").append(options.baselineCommit(), 0, Math.min(10, options.baselineCommit().length()))
        .append("`\n");
    md.append("- wrk: -t").append(HarnessContext.WRK_THREADS).append(" -c64, ")
        .append(HarnessContext.WARM_UP.toSeconds()).append(" s warm-up per URL, then ")
        .append(options.quick() ? 3 : 10).append(" s measured").append(options.quick() ? " (**--quick**: not a "
            + "recorded run)" : "").append("\n");
    machine.forEach(line -> md.append("- ").append(line).append('\n'));
    md.append("\n| what | now (baseline code) | after (current) | against (same run) | ratio now | ratio after "
        + "| goal | met |\n|---|---:|---:|---|---:|---:|---|---|\n");
    rows.values().forEach(pair -> md.append(tableRow(pair[0], pair[1])).append('\n'));
    md.append("\n### Notes\n\n");
    synchronized (notes) {
      notes.forEach(n -> md.append("- ").append(n.replace("\n", " ")).append('\n'));
    }
    Files.createDirectories(options.report().toAbsolutePath().getParent());
    Files.writeString(options.report(), md.toString());
  }

  /** One line of the table: the baseline code's row and the current code's, either may be missing. */
  static String tableRow(BenchRow now, BenchRow after) {
    BenchRow any = after != null ? after : now;
    String against = any.against().isEmpty() ? "—" : any.against() + ": "
        + (now == null ? "" : number(now.againstValue()) + " → ") + number(any.againstValue()) + " " + any.unit();
    String goal = any.goal().isEmpty() ? "—" : any.goal();
    String met = any.goal().isEmpty() ? "—" : after == null ? "(baseline only)"
        : Double.isNaN(after.value()) ? "not measured (see the notes)" : (after.met() ? "yes" : "**no**")
        + (after.undecided() ? " (the goal is inside the 95 % interval: this run cannot tell)" : "");
    return "| " + String.join(" | ", any.what().replace("|", "\\|"), figure(now), figure(after), against,
        ratio(now), ratio(after), goal, met) + " |";
  }

  private static String figure(BenchRow row) {
    return row == null || Double.isNaN(row.value()) ? "—" : number(row.value()) + " " + row.unit();
  }

  /** The ratio, and its 95 % interval where the row has one (a ratio of medians of samples). */
  private static String ratio(BenchRow row) {
    if (row == null || Double.isNaN(row.ratio())) {
      return "—";
    }
    String ratio = String.format(Locale.ROOT, "%.3f×", row.ratio());
    return Double.isNaN(row.ratioLow()) ? ratio
        : ratio + String.format(Locale.ROOT, " (95 %%: %.2f–%.2f×)", row.ratioLow(), row.ratioHigh());
  }

  static String number(double value) {
    if (Double.isNaN(value)) {
      return "—";
    }
    return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.0f", value)
        : String.format(Locale.ROOT, "%.3g", value);
  }

  private static String header() throws Exception {
    try (InputStream in = BenchReport.class.getResourceAsStream("/bench/BENCHMARKS-header.md")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String loadAverage() throws Exception {
    String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
    return parts[0] + " / " + parts[1] + " / " + parts[2];
  }

  private static String firstValue(String file, String key) throws Exception {
    for (String line : Files.readAllLines(Path.of(file))) {
      if (line.startsWith(key)) {
        return line.substring(line.indexOf(':') + 1).strip();
      }
    }
    return "unknown";
  }

  private static String javaVersion() throws Exception {
    Process p = new ProcessBuilder(HarnessContext.javaBinary(), "-version").redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return String.join("; ", out.strip().split("\n"));
  }
}
