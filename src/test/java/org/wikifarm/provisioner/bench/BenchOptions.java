package org.wikifarm.provisioner.bench;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What scripts/bench/run hands the runner: the two code versions (fat jar + that version's sql/ directory), where
 * the report goes, and the facts about the trees it cannot see from here (commits, dirty flag).
 */
record BenchOptions(boolean quick, Path baselineJar, Path baselineSql, String baselineRef, String baselineCommit,
    Path currentJar, Path currentSql, String currentCommit, boolean currentDirty, Path report, Path work,
    List<String> only) {

  static BenchOptions parse(String[] args) {
    Map<String, String> named = new HashMap<>();
    boolean quick = false;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--quick")) {
        quick = true;
      } else if (args[i].startsWith("--") && i + 1 < args.length) {
        named.put(args[i].substring(2), args[++i]);
      } else {
        throw new IllegalArgumentException("unexpected argument '" + args[i] + "'; run scripts/bench/run instead");
      }
    }
    return new BenchOptions(quick, path(named, "baseline-jar"), path(named, "baseline-sql"),
        required(named, "baseline-ref"), required(named, "baseline-commit"), path(named, "current-jar"),
        path(named, "current-sql"), required(named, "current-commit"),
        Boolean.parseBoolean(named.getOrDefault("current-dirty", "false")), path(named, "report"),
        path(named, "work"), named.containsKey("only") ? List.of(named.get("only").split(",")) : List.of());
  }

  private static Path path(Map<String, String> named, String key) {
    return Path.of(required(named, key)).toAbsolutePath();
  }

  private static String required(Map<String, String> named, String key) {
    String value = named.get(key);
    if (value == null) {
      throw new IllegalArgumentException("--" + key + " is missing; run scripts/bench/run instead");
    }
    return value;
  }
}
