package org.wikifarm.provisioner.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * How sure one run is of a row whose figure is a median of a few noisy samples on each side (one task's time,
 * dominated by the prime search of RSA key generation; one SSE round's p99): the 95 % percentile-bootstrap
 * interval of median(measured) / median(baseline). Each side is resampled with replacement on its own, because
 * the two sides' noise is independent (two key generations, two rounds), {@value #RESAMPLES} times from a fixed
 * seed, so the same samples always give the same interval.
 *
 * <p>Why the report needs it: the one-task row's direct baseline measured 96 ms in one half of a run and 137 ms
 * in the other with the same code, and the SSE rows read 1.31× and 1.46× with the same code on both sides; a
 * goal of ≤ 1.10× or ≤ 1.5× inside such an interval is something the run cannot decide, and the table says so.
 *
 * @param low the 2.5th percentile of the resampled ratios
 * @param high the 97.5th percentile
 */
record RatioInterval(double low, double high) {
  static final int RESAMPLES = 10_000;
  private static final long SEED = 15;

  /** The interval of median(measured) / median(baseline); both need at least one sample. */
  static RatioInterval ofMedians(List<Double> measured, List<Double> baseline) {
    if (measured.isEmpty() || baseline.isEmpty()) {
      throw new IllegalArgumentException("a ratio of medians needs samples on both sides");
    }
    double[] a = measured.stream().mapToDouble(Double::doubleValue).toArray();
    double[] b = baseline.stream().mapToDouble(Double::doubleValue).toArray();
    Random random = new Random(SEED);
    double[] ratios = new double[RESAMPLES];
    double[] scratchA = new double[a.length];
    double[] scratchB = new double[b.length];
    for (int i = 0; i < RESAMPLES; i++) {
      ratios[i] = resampledMedian(a, scratchA, random) / resampledMedian(b, scratchB, random);
    }
    Arrays.sort(ratios);
    return new RatioInterval(ratios[(int) Math.floor(0.025 * (RESAMPLES - 1))],
        ratios[(int) Math.ceil(0.975 * (RESAMPLES - 1))]);
  }

  /** The median of the samples (the mean of the middle two for an even count). */
  static double median(List<Double> values) {
    return medianOfSorted(values.stream().mapToDouble(Double::doubleValue).sorted().toArray());
  }

  /** Whether {@code ratio} (a goal) lies inside: then this run cannot tell on which side of it the code is. */
  boolean contains(double ratio) {
    return low <= ratio && ratio <= high;
  }

  private static double resampledMedian(double[] samples, double[] scratch, Random random) {
    for (int i = 0; i < scratch.length; i++) {
      scratch[i] = samples[random.nextInt(samples.length)];
    }
    Arrays.sort(scratch);
    return medianOfSorted(scratch);
  }

  private static double medianOfSorted(double[] sorted) {
    int mid = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }
}
