package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks at start-up that the tables and columns the service uses exist. The extension owns the schema, so
 * the service never creates or alters tables: it fails fast naming what is missing.
 */
public final class SchemaVerifier {

  static final Map<String, List<String>> REQUIRED = new LinkedHashMap<>();

  static {
    REQUIRED.put("wikifarm_wikis", List.of("id", "name", "slug", "domain", "path", "language", "owner_user_id",
        "owner_username", "visibility", "status", "is_featured", "created_at", "updated_at"));
    REQUIRED.put("wikifarm_tasks", List.of("id", "type", "status", "progress", "message", "wiki_id",
        "created_by_user_id", "created_by_username", "created_at", "started_at", "finished_at"));
  }

  private SchemaVerifier() {}

  /** The v2 migration that adds deletion tasks and the durable request spec (SPEC §3). */
  public static final String V2_MIGRATION = "sql/migrations/20261126_wikifarm_tasks_delete_and_spec.sql";

  /**
   * Whether {@value #V2_MIGRATION} is applied: {@code wikifarm_tasks.spec} exists and the task type allows
   * {@code delete_wiki}. Without it the service still runs, but refuses what needs it (never a silent fallback).
   */
  public static Future<Boolean> v2MigrationApplied(Pool pool) {
    return pool.preparedQuery("SELECT column_name AS c, column_type AS t FROM information_schema.columns "
            + "WHERE table_schema = DATABASE() AND table_name = 'wikifarm_tasks' AND column_name IN ('spec', 'type')")
        .execute(Tuple.tuple())
        .map(rows -> {
          boolean spec = false;
          boolean deleteType = false;
          for (Row row : rows) {
            String column = row.getString("c").toLowerCase();
            spec |= column.equals("spec");
            deleteType |= column.equals("type") && String.valueOf(row.getValue("t")).contains("'delete_wiki'");
          }
          return spec && deleteType;
        });
  }

  /** Succeeds with an empty list when all is there; otherwise the list of missing items. */
  public static Future<List<String>> missing(Pool pool) {
    return pool.preparedQuery("SELECT table_name AS t, column_name AS c FROM information_schema.columns "
            + "WHERE table_schema = DATABASE() AND table_name IN ('wikifarm_wikis', 'wikifarm_tasks')")
        .execute(Tuple.tuple())
        .compose(rows -> {
          Map<String, Set<String>> present = new HashMap<>();
          for (Row row : rows) {
            present.computeIfAbsent(row.getString("t").toLowerCase(), k -> new HashSet<>())
                .add(row.getString("c").toLowerCase());
          }
          List<String> missing = new ArrayList<>();
          REQUIRED.forEach((table, columns) -> {
            Set<String> have = present.get(table);
            if (have == null) {
              missing.add("table " + table);
              return;
            }
            for (String column : columns) {
              if (!have.contains(column)) {
                missing.add("column " + table + "." + column);
              }
            }
          });
          return pool.preparedQuery("SELECT COUNT(*) AS n FROM information_schema.statistics "
                  + "WHERE table_schema = DATABASE() AND table_name = 'wikifarm_wikis' AND column_name = 'slug' "
                  + "AND non_unique = 0").execute(Tuple.tuple())
              .map(idx -> {
                if (present.containsKey("wikifarm_wikis") && idx.iterator().next().getLong("n") == 0) {
                  missing.add("unique index on wikifarm_wikis.slug (apply "
                      + "sql/migrations/20250928_add_unique_index_wikifarm_wikis_slug.sql)");
                }
                return missing;
              });
        });
  }
}
