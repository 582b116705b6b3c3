package org.wikifarm.provisioner.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where one task's time went, read from its SSE stream: every journaled frame's id starts with the epoch
 * milliseconds of its XADD, so the first frame of each phase marks when that phase began. The steps are
 * {@code post} (the POST sent → the first journaled event), each phase (its first event → the next phase's),
 * and {@code end} (the terminal event → the client saw the stream close).
 */
final class PhaseSplits {
  private PhaseSplits() {}

  static Map<String, Double> ofStream(String stream, long postedAtMillis, long endedAtMillis) {
    Map<String, Double> splits = new LinkedHashMap<>();
    String phase = "post";
    long since = postedAtMillis;
    for (String frame : stream.split("\n\n")) {
      String id = field(frame, "id: ");
      String data = field(frame, "data: ");
      if (id == null || data == null) {
        continue; // the retry line, heartbeats, a synthesized event (no id, no time)
      }
      long at = Long.parseLong(id.substring(0, id.indexOf('-')));
      String next = data.contains("\"type\":\"status\"") && !data.contains("\"status\":\"queued\"")
          && !data.contains("\"status\":\"running\"") ? "end" : phaseOf(data, phase);
      if (!next.equals(phase)) {
        splits.merge(phase, (double) Math.max(0, at - since), Double::sum);
        phase = next;
        since = at;
      }
    }
    splits.merge(phase, (double) Math.max(0, endedAtMillis - since), Double::sum);
    return splits;
  }

  /** The median of each step over several tasks, in the order the steps first appeared, as "step N". */
  static String medians(List<Map<String, Double>> runs) {
    Map<String, List<Double>> byStep = new LinkedHashMap<>();
    for (Map<String, Double> run : runs) {
      run.forEach((step, ms) -> byStep.computeIfAbsent(step, s -> new ArrayList<>()).add(ms));
    }
    List<String> parts = new ArrayList<>();
    byStep.forEach((step, values) -> parts.add(step + " " + Math.round(RatioInterval.median(values))));
    return String.join(", ", parts);
  }

  private static String phaseOf(String data, String otherwise) {
    int at = data.indexOf("\"phase\":\"");
    if (at < 0) {
      return otherwise;
    }
    int from = at + "\"phase\":\"".length();
    return data.substring(from, data.indexOf('"', from));
  }

  private static String field(String frame, String prefix) {
    for (String line : frame.split("\n")) {
      if (line.startsWith(prefix)) {
        return line.substring(prefix.length()).trim();
      }
    }
    return null;
  }
}
