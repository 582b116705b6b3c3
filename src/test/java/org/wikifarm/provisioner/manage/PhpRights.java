package org.wikifarm.provisioner.manage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Loads a generated permissions.php in a real PHP process the way a wiki does: after a minimal
 * MediaWiki-style default of {@code $wgGroupPermissions} (a small DefaultSettings.php), and computes the
 * effective rights of a member of some groups exactly as MediaWiki's {@code PermissionManager::getGroupPermissions}
 * does: every right granted by any of the groups, minus every right revoked for any of them.
 */
final class PhpRights {
  /** The defaults, as PHP and as data for the expected values. */
  static final Map<String, List<String>> DEFAULTS = Map.of(
      "*", List.of("createaccount", "edit", "read"),
      "user", List.of("edit", "move", "read"),
      "sysop", List.of("block", "delete"));

  private static final String SCRIPT = """
      <?php
      $wgGroupPermissions = [];
      $wgRevokePermissions = [];
      %s
      require $argv[1];
      function listed($var) {
        $out = [];
        foreach ($var as $g => $perms) {
          foreach ($perms as $p => $on) {
            if ($on === true) { $out[$g][] = $p; }
          }
          if (isset($out[$g])) { sort($out[$g]); }
        }
        ksort($out);
        return (object) $out;
      }
      function rights($groups) {
        global $wgGroupPermissions, $wgRevokePermissions;
        $r = [];
        foreach ($groups as $g) { foreach ($wgGroupPermissions[$g] ?? [] as $p => $on) { if ($on) { $r[$p] = true; } } }
        foreach ($groups as $g) { foreach ($wgRevokePermissions[$g] ?? [] as $p => $on) { if ($on) { unset($r[$p]); } } }
        ksort($r);
        return array_keys($r);
      }
      echo json_encode(['granted' => listed($wgGroupPermissions), 'revoked' => listed($wgRevokePermissions),
        'anonymous' => rights(['*']), 'user' => rights(['*', 'user']), 'sysop' => rights(['*', 'user', 'sysop'])],
        JSON_THROW_ON_ERROR);
      """;

  private PhpRights() {}

  /** What PHP sees after loading {@code file}: granted, revoked, and the effective rights of three users. */
  static JsonObject load(Path file) throws Exception {
    StringBuilder defaults = new StringBuilder();
    DEFAULTS.forEach((g, perms) -> perms.forEach(p ->
        defaults.append("$wgGroupPermissions['").append(g).append("']['").append(p).append("'] = true;\n")));
    return new JsonObject(ManageKit.php(SCRIPT.formatted(defaults), file.toString()));
  }

  /** What {@link #load} must return for a stored set {@code {"allow", "deny"}}. */
  static JsonObject expected(JsonObject set) {
    SortedMap<String, SortedSet<String>> granted = new TreeMap<>();
    DEFAULTS.forEach((g, perms) -> granted.computeIfAbsent(g, k -> new TreeSet<>()).addAll(perms));
    SortedMap<String, SortedSet<String>> revoked = new TreeMap<>();
    merge(granted, set.getJsonObject("allow"));
    merge(revoked, set.getJsonObject("deny"));
    return new JsonObject().put("granted", json(granted)).put("revoked", json(revoked))
        .put("anonymous", effective(granted, revoked, List.of("*")))
        .put("user", effective(granted, revoked, List.of("*", "user")))
        .put("sysop", effective(granted, revoked, List.of("*", "user", "sysop")));
  }

  private static void merge(SortedMap<String, SortedSet<String>> into, JsonObject part) {
    if (part != null) {
      part.forEach(e -> ((JsonArray) e.getValue()).forEach(p ->
          into.computeIfAbsent(e.getKey(), k -> new TreeSet<>()).add((String) p)));
    }
  }

  private static JsonArray effective(SortedMap<String, SortedSet<String>> granted,
      SortedMap<String, SortedSet<String>> revoked, List<String> groups) {
    SortedSet<String> rights = new TreeSet<>();
    groups.forEach(g -> rights.addAll(granted.getOrDefault(g, new TreeSet<>())));
    groups.forEach(g -> rights.removeAll(revoked.getOrDefault(g, new TreeSet<>())));
    return new JsonArray(List.copyOf(rights));
  }

  private static JsonObject json(SortedMap<String, SortedSet<String>> map) {
    JsonObject out = new JsonObject();
    map.forEach((g, perms) -> out.put(g, new JsonArray(List.copyOf(perms))));
    return out;
  }
}
