package org.wikifarm.provisioner.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The interval the report gives a ratio of medians, and how the table shows a goal inside it. */
class RatioIntervalTest {
  /** The one-task row's direct run in both halves of one run on the same code: 25 key generations each. */
  private static final List<Double> DIRECT_A = List.of(148.0, 54.0, 209.0, 88.0, 100.0, 115.0, 184.0, 65.0, 114.0,
      352.0, 76.0, 126.0, 66.0, 95.0, 91.0, 95.0, 120.0, 54.0, 69.0, 123.0, 124.0, 139.0, 88.0, 96.0, 77.0);
  private static final List<Double> DIRECT_B = List.of(104.0, 97.0, 59.0, 156.0, 75.0, 167.0, 53.0, 58.0, 151.0,
      46.0, 71.0, 116.0, 69.0, 143.0, 223.0, 210.0, 71.0, 277.0, 168.0, 384.0, 80.0, 163.0, 137.0, 220.0, 164.0);

  @Test
  void samplesWithoutSpreadGiveTheRatioItself() {
    RatioInterval interval = RatioInterval.ofMedians(List.of(100.0, 100.0, 100.0), List.of(50.0, 50.0));
    assertEquals(2.0, interval.low(), 1e-12);
    assertEquals(2.0, interval.high(), 1e-12);
  }

  @Test
  void theIntervalHoldsTheRatioOfTheMediansAndWidensWithTheSpread() {
    List<Double> tight = List.of(198.0, 199.0, 200.0, 201.0, 202.0, 200.0, 199.0);
    List<Double> base = List.of(99.0, 100.0, 101.0, 100.0, 100.0, 99.0, 101.0);
    List<Double> loose = List.of(120.0, 150.0, 200.0, 260.0, 310.0, 190.0, 230.0);
    RatioInterval narrow = RatioInterval.ofMedians(tight, base);
    RatioInterval wide = RatioInterval.ofMedians(loose, base);
    assertTrue(narrow.contains(2.0) && wide.contains(2.0), narrow + " / " + wide);
    assertTrue(narrow.high() - narrow.low() < 0.1, narrow.toString());
    assertTrue(wide.high() - wide.low() > 5 * (narrow.high() - narrow.low()), narrow + " / " + wide);
  }

  @Test
  void theSameCodeOnBothSidesIsAnIntervalAroundOneWideEnoughToHoldTheOneTaskGoal() {
    RatioInterval interval = RatioInterval.ofMedians(DIRECT_B, DIRECT_A);
    // the medians alone read 1.43×; the interval says that 25 key generations cannot tell 1.1× from 1.0×
    assertEquals(137.0 / 96.0, RatioInterval.median(DIRECT_B) / RatioInterval.median(DIRECT_A), 1e-12);
    assertTrue(interval.contains(1.0) && interval.contains(1.1), interval.toString());
    assertEquals(interval, RatioInterval.ofMedians(DIRECT_B, DIRECT_A), "the same samples, the same interval");
  }

  @Test
  void aRatioNeedsSamplesOnBothSides() {
    assertThrows(IllegalArgumentException.class, () -> RatioInterval.ofMedians(List.of(), List.of(1.0)));
    assertThrows(IllegalArgumentException.class, () -> RatioInterval.ofMedians(List.of(1.0), List.of()));
  }

  @Test
  void theTableShowsTheIntervalAndSaysWhenTheGoalIsInsideIt() {
    BenchRow inside = BenchRow.medianAtMost("sse.p99.5000", "SSE 5,000", List.of(197.0, 150.0, 214.0, 215.0,
        211.0, 158.0, 141.0), "ms", "plain", List.of(121.0, 165.0, 171.0, 110.0, 195.0, 117.0, 121.0), 1.5);
    assertEquals(197.0 / 121.0, inside.ratio(), 1e-12);
    assertFalse(inside.met());
    assertTrue(inside.undecided(), inside.toString());
    String line = BenchReport.tableRow(null, inside);
    assertTrue(line.contains(String.format(java.util.Locale.ROOT, "1.628× (95 %%: %.2f–%.2f×)", inside.ratioLow(),
        inside.ratioHigh())), line);
    assertTrue(line.contains("**no** (the goal is inside the 95 % interval: this run cannot tell)"), line);

    BenchRow clear = BenchRow.medianAtMost("provision.one-task", "one task", List.of(300.0, 310.0, 305.0), "ms",
        "direct", List.of(100.0, 101.0, 99.0), 1.10);
    assertFalse(clear.met() || clear.undecided(), clear.toString());
    String clearLine = BenchReport.tableRow(null, clear);
    assertTrue(clearLine.endsWith("| ≤ 1.1× | **no** |"), clearLine);
    assertFalse(BenchReport.tableRow(null, BenchRow.atMost("x", "x", 2, "ms", "y", 1, 1.5)).contains("95 %"));
  }
}
