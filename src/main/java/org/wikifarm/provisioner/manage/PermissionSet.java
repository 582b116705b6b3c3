package org.wikifarm.provisioner.manage;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.store.PermissionStore.Permission;

/**
 * A wiki's group permissions (SPEC §4.4): for each group, the rights it is granted ({@code allow}) and the rights
 * revoked from its members ({@code deny}), both sorted. Names are {@code ^[a-z][a-z0-9_-]{0,63}$}, plus
 * MediaWiki's anonymous group {@code *} as a group name (revoking {@code edit} from {@code *} is the common
 * case). Only such names ever reach {@code permissions.php}, which is why it needs no escaping.
 */
public record PermissionSet(SortedMap<String, SortedSet<String>> allow, SortedMap<String, SortedSet<String>> deny) {
  private static final Logger LOG = Logger.getLogger(PermissionSet.class.getName());
  private static final Pattern NAME = Pattern.compile("^[a-z][a-z0-9_-]{0,63}$");
  public static final String ANONYMOUS_GROUP = "*";
  public static final int MAX_ENTRIES = 500;

  public PermissionSet {
    allow = frozen(allow);
    deny = frozen(deny);
  }

  public static boolean isGroupName(String s) {
    return ANONYMOUS_GROUP.equals(s) || isPermissionName(s);
  }

  public static boolean isPermissionName(String s) {
    return s != null && NAME.matcher(s).matches();
  }

  /**
   * The set a request body describes: {@code {"allow": {group: [perm…]}, "deny": {…}}}, either part optional
   * (absent = none). Anything else — other keys, wrong types, bad names, a right both allowed and denied for one
   * group (the table holds one row per group and right), more than {@value #MAX_ENTRIES} entries — is a 400.
   * A right repeated within one list counts once.
   */
  public static PermissionSet fromJson(JsonObject body) {
    for (String key : body.fieldNames()) {
      if (!key.equals("allow") && !key.equals("deny")) {
        throw invalid("body", "only \"allow\" and \"deny\" are accepted");
      }
    }
    SortedMap<String, SortedSet<String>> allow = part(body, "allow");
    SortedMap<String, SortedSet<String>> deny = part(body, "deny");
    allow.forEach((group, perms) -> perms.forEach(p -> {
      if (deny.getOrDefault(group, Collections.emptySortedSet()).contains(p)) {
        throw invalid("deny." + group, "'" + p + "' is both allowed and denied for the group '" + group + "'");
      }
    }));
    PermissionSet set = new PermissionSet(allow, deny);
    if (set.size() > MAX_ENTRIES) {
      throw invalid("allow", "at most " + MAX_ENTRIES + " group/permission entries are accepted; got " + set.size());
    }
    return set;
  }

  private static SortedMap<String, SortedSet<String>> part(JsonObject body, String field) {
    SortedMap<String, SortedSet<String>> out = new TreeMap<>();
    if (!body.containsKey(field)) {
      return out;
    }
    if (!(body.getValue(field) instanceof JsonObject groups)) {
      throw invalid(field, field + " must be an object mapping group names to lists of permissions");
    }
    int entries = 0;
    for (String group : groups.fieldNames()) {
      if (!isGroupName(group)) {
        throw invalid(field, "group names must match ^[a-z][a-z0-9_-]{0,63}$ (or be *)");
      }
      if (!(groups.getValue(group) instanceof JsonArray perms)) {
        throw invalid(field + "." + group, "the permissions of a group must be a list of names");
      }
      entries += perms.size();
      if (entries > MAX_ENTRIES) { // checked while reading: a huge list is refused before it is walked
        throw invalid(field, "at most " + MAX_ENTRIES + " group/permission entries are accepted");
      }
      SortedSet<String> names = new TreeSet<>();
      for (Object p : perms) {
        if (!(p instanceof String s) || !isPermissionName(s)) {
          throw invalid(field + "." + group, "permission names must be strings matching ^[a-z][a-z0-9_-]{0,63}$");
        }
        names.add(s);
      }
      out.put(group, names);
    }
    return out;
  }

  /**
   * The set stored rows describe. Rows whose names break the rules (written around this service) are left out
   * with a warning, so they can never be rendered into PHP.
   */
  public static PermissionSet fromRows(List<Permission> rows) {
    SortedMap<String, SortedSet<String>> allow = new TreeMap<>();
    SortedMap<String, SortedSet<String>> deny = new TreeMap<>();
    for (Permission row : rows) {
      if (!isGroupName(row.group()) || !isPermissionName(row.permission())) {
        LOG.warning("ignoring a stored permission row with an invalid name (group length " + row.group().length()
            + ", permission length " + row.permission().length() + ")");
        continue;
      }
      (row.allowed() ? allow : deny).computeIfAbsent(row.group(), g -> new TreeSet<>()).add(row.permission());
    }
    return new PermissionSet(allow, deny);
  }

  public List<Permission> toRows() {
    List<Permission> rows = new ArrayList<>(size());
    allow.forEach((g, perms) -> perms.forEach(p -> rows.add(new Permission(g, p, true))));
    deny.forEach((g, perms) -> perms.forEach(p -> rows.add(new Permission(g, p, false))));
    return rows;
  }

  /** {@code {"allow": {group: [perm…]}, "deny": {…}}}, sorted; groups without rights are left out. */
  public JsonObject toJson() {
    return new JsonObject().put("allow", toJson(allow)).put("deny", toJson(deny));
  }

  public int size() {
    return allow.values().stream().mapToInt(SortedSet::size).sum()
        + deny.values().stream().mapToInt(SortedSet::size).sum();
  }

  private static JsonObject toJson(SortedMap<String, SortedSet<String>> part) {
    JsonObject json = new JsonObject();
    part.forEach((g, perms) -> json.put(g, new JsonArray(new ArrayList<>(perms))));
    return json;
  }

  /** Sorted, immutable, without empty groups (an empty list grants and revokes nothing). */
  private static SortedMap<String, SortedSet<String>> frozen(Map<String, ? extends SortedSet<String>> in) {
    SortedMap<String, SortedSet<String>> out = new TreeMap<>();
    in.forEach((g, perms) -> {
      if (!perms.isEmpty()) {
        out.put(g, Collections.unmodifiableSortedSet(new TreeSet<>(perms)));
      }
    });
    return Collections.unmodifiableSortedMap(out);
  }

  private static ManageException invalid(String field, String message) {
    return new ManageException(400, "invalid_permissions", message, new JsonObject().put("field", field));
  }
}
