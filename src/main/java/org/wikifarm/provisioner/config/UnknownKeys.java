package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keys a layer sets that the parser never reads: a typo ({@code htp:}, {@code concurency:}) would otherwise be
 * ignored silently and the default used instead. Each is reported with the nearest valid key, so the fix is
 * obvious.
 */
final class UnknownKeys {
  private UnknownKeys() {}

  /**
   * The problems of one layer's tree. {@code known} are the keys the parser read; whatever lies beneath a known
   * key is that key's value (e.g. the names under {@code farm.templates}).
   */
  static List<String> find(JsonObject tree, String where, Set<String> known) {
    List<String> problems = new ArrayList<>();
    walk(tree, "", where, known, problems);
    return problems;
  }

  private static void walk(JsonObject node, String prefix, String where, Set<String> known, List<String> problems) {
    for (String name : node.fieldNames()) {
      String path = prefix.isEmpty() ? name : prefix + "." + name;
      Object value = node.getValue(name);
      if (known.contains(path)) {
        continue;
      }
      if (known.stream().anyMatch(k -> k.startsWith(path + "."))) { // a section
        if (value instanceof JsonObject section) {
          walk(section, path, where, known, problems);
        } else if (value != null) { // null: a section whose keys are all commented out
          problems.add("'" + path + "'" + where + " is a section, not a value: set its keys, e.g. "
              + keysUnder(path, known).get(0));
        }
        continue;
      }
      problems.add(unknown(path, where, known));
    }
  }

  private static String unknown(String path, String where, Set<String> known) {
    boolean topLevel = !path.contains(".");
    List<String> candidates = topLevel ? sections(known) : List.copyOf(known);
    String text = "unknown " + (topLevel ? "section" : "key") + " '" + path + "'" + where;
    String nearest = nearest(path, candidates);
    if (nearest != null) {
      return text + "; did you mean '" + nearest + "'?";
    }
    String section = path.substring(0, path.indexOf('.') < 0 ? path.length() : path.indexOf('.'));
    List<String> siblings = keysUnder(section, known);
    return text + (siblings.isEmpty() ? "; the sections are " + String.join(", ", sections(known))
        : "; " + section + " has " + String.join(", ", siblings));
  }

  /**
   * The candidate closest to {@code path} by edit distance, if it is close enough to be a typo; otherwise one
   * that {@code path} begins (a name cut short), or the same option name in another section (a key put in the
   * wrong section); null when nothing is likely.
   */
  static String nearest(String path, List<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : candidates) {
      int d = distance(path, candidate);
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    if (best != null && bestDistance <= Math.max(2, path.length() / 4)) {
      return best;
    }
    String leaf = path.substring(path.lastIndexOf('.') + 1);
    return candidates.stream().filter(c -> c.startsWith(path)).findFirst()
        .or(() -> candidates.stream().filter(c -> c.endsWith("." + leaf)).findFirst()).orElse(null);
  }

  private static List<String> sections(Set<String> known) {
    Set<String> sections = new LinkedHashSet<>();
    known.forEach(k -> sections.add(k.substring(0, k.indexOf('.'))));
    return List.copyOf(sections);
  }

  private static List<String> keysUnder(String section, Set<String> known) {
    return known.stream().filter(k -> k.startsWith(section + ".")).toList();
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitute = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitute, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
