package org.wikifarm.provisioner.bench;

import java.util.List;

/**
 * One measured row of docs/BENCHMARKS.md: a figure and the baseline it is compared with, both measured in the
 * same run, and the ratio that counts. {@code id} joins the rows of the two code versions (the baseline commit's
 * "now" and the current tree's "after"); {@code higherIsBetter} says which way the goal points.
 *
 * @param id stable key, e.g. {@code list.featured}
 * @param what the table's first column, e.g. {@code GET /wikis?featured=1&limit=20}
 * @param value the measured figure, in {@code unit}
 * @param unit e.g. {@code req/s}, {@code ms}, {@code MiB}
 * @param against what the baseline is, e.g. {@code GET /health}; empty when the row has none (then ratio is NaN)
 * @param againstValue the baseline's figure in the same unit (NaN when none)
 * @param ratio value / againstValue as the goal states it (NaN when the row is an absolute figure)
 * @param goal the goal as text, e.g. {@code ≥ 0.5×}
 * @param met whether the goal is met by this measurement
 * @param ratioLow the low end of the ratio's 95 % interval, for a ratio of medians of samples (NaN otherwise)
 * @param ratioHigh its high end (NaN otherwise)
 * @param undecided whether the goal lies inside that interval: the verdict is the median's, but this run cannot
 *     tell on which side of the goal the code really is
 */
public record BenchRow(String id, String what, double value, String unit, String against, double againstValue,
    double ratio, String goal, boolean met, double ratioLow, double ratioHigh, boolean undecided) {

  /** A row without an interval. */
  public BenchRow(String id, String what, double value, String unit, String against, double againstValue,
      double ratio, String goal, boolean met) {
    this(id, what, value, unit, against, againstValue, ratio, goal, met, Double.NaN, Double.NaN, false);
  }

  /** A row whose ratio is value / against, compared with a minimum ratio. */
  public static BenchRow atLeast(String id, String what, double value, String unit, String against,
      double againstValue, double minRatio) {
    double ratio = value / againstValue;
    return new BenchRow(id, what, value, unit, against, againstValue, ratio, "≥ " + minRatio + "×", ratio >= minRatio);
  }

  /** A row whose ratio is value / against (e.g. latencies, times), compared with a maximum ratio. */
  public static BenchRow atMost(String id, String what, double value, String unit, String against,
      double againstValue, double maxRatio) {
    double ratio = value / againstValue;
    return new BenchRow(id, what, value, unit, against, againstValue, ratio, "≤ " + maxRatio + "×", ratio <= maxRatio);
  }

  /**
   * As {@link #atMost}, for a figure and a baseline that are each the median of their samples: the row carries
   * the ratio's 95 % interval ({@link RatioInterval}) and whether the goal lies inside it.
   */
  public static BenchRow medianAtMost(String id, String what, List<Double> samples, String unit, String against,
      List<Double> againstSamples, double maxRatio) {
    BenchRow row = atMost(id, what, RatioInterval.median(samples), unit, against,
        RatioInterval.median(againstSamples), maxRatio);
    RatioInterval interval = RatioInterval.ofMedians(samples, againstSamples);
    return new BenchRow(row.id, row.what, row.value, row.unit, row.against, row.againstValue, row.ratio, row.goal,
        row.met, interval.low(), interval.high(), interval.contains(maxRatio));
  }

  /** A figure given for context: no baseline, no goal. */
  public static BenchRow info(String id, String what, double value, String unit) {
    return new BenchRow(id, what, value, unit, "", Double.NaN, Double.NaN, "", true);
  }

  /** A resident set size that should come back near the idle one: at most 1.5× it. */
  public static BenchRow nearIdle(String id, String what, double rssMiB, double idleMiB) {
    return new BenchRow(id, what + " (idle after start: " + Math.round(idleMiB) + " MiB)", rssMiB, "MiB", "",
        Double.NaN, Double.NaN, "returns near idle", rssMiB <= idleMiB * 1.5);
  }

  /** A figure compared with another for context, with no goal (e.g. the service against a minimal endpoint). */
  public static BenchRow compared(String id, String what, double value, String unit, String against,
      double againstValue) {
    return new BenchRow(id, what, value, unit, against, againstValue, value / againstValue, "", true);
  }

  /** The same figure given for context: its goal is not judged (e.g. memory with the JVM's default flags). */
  public BenchRow unjudged() {
    return new BenchRow(id, what, value, unit, against, againstValue, ratio, "", true, ratioLow, ratioHigh, false);
  }

  /** An absolute figure with a ceiling (e.g. heap per connection ≤ 16 KiB, refused = 0). */
  public static BenchRow absoluteAtMost(String id, String what, double value, String unit, double max) {
    return new BenchRow(id, what, value, unit, "", Double.NaN, Double.NaN, "≤ " + max + " " + unit, value <= max);
  }
}
