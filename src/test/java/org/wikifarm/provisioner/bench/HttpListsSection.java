package org.wikifarm.provisioner.bench;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.bench.BenchContext.ServiceUnderTest;
import org.wikifarm.provisioner.bench.BenchContext.WrkResult;

/**
 * The read endpoints under wrk, each against {@code GET /health} of the same node in the same run, and the owner
 * and slug endpoints against their own SQL issued directly ({@link DirectLoad}): how much the service adds on
 * top of MariaDB. Worker off, so nothing else runs in the node.
 */
public final class HttpListsSection implements BenchSection {
  static final int CONNECTIONS = 64;
  private static final String API = "/provisioner/v1";
  /** The owner list's and the slug check's SQL as the baseline code issues them (body identity: every wiki). */
  private static final String OWNER_SQL = "SELECT id, name, slug, domain, language, owner_user_id, owner_username, "
      + "visibility, status, is_featured, created_at, updated_at FROM wikifarm_wikis WHERE owner_user_id = ? "
      + "ORDER BY created_at DESC, id DESC";
  private static final String SLUG_SQL = "SELECT 1 FROM wikifarm_wikis WHERE slug = ? LIMIT 1";

  /** A measured endpoint: its row id, the table's text, its path and the minimum ratio to /health. */
  private record Endpoint(String id, String what, String path, double goal) {}

  private static final List<Endpoint> ENDPOINTS = List.of(
      new Endpoint("list.featured", "GET /wikis?featured=1&limit=20", API + "/wikis?featured=1&limit=20", 0.5),
      new Endpoint("list.offset5000", "GET /wikis?featured=0&offset=5000", API + "/wikis?featured=0&offset=5000",
          0.3),
      new Endpoint("list.owner", "GET /users/{id}/wikis (20 wikis)",
          API + "/users/" + BenchDatabase.SAMPLE_OWNER + "/wikis", 0.5),
      new Endpoint("slug.exists", "GET /wikis/slug/{slug}/exists",
          API + "/wikis/slug/" + BenchDatabase.SAMPLE_SLUG + "/exists", 0.5));

  @Override
  public String name() {
    return "lists";
  }

  @Override
  public List<BenchRow> run(BenchContext context) throws Exception {
    double health;
    Map<String, Double> measured = new HashMap<>();
    try (ServiceUnderTest service = context.start(context.baseConfig(context.scratch().resolve("farm")))) {
      health = measureOrNote(context, service, "/health");
      for (Endpoint e : ENDPOINTS) {
        measured.put(e.id(), measureOrNote(context, service, e.path()));
      }
    }
    List<BenchRow> rows = new ArrayList<>();
    rows.add(BenchRow.info("http.health", "GET /health (the baseline of the read rows)", health, "req/s"));
    for (Endpoint e : ENDPOINTS) {
      rows.add(BenchRow.atLeast(e.id(), e.what(), measured.get(e.id()), "req/s", "GET /health", health, e.goal()));
    }
    rows.addAll(againstDirectSql(context, measured.get("list.owner"), measured.get("slug.exists")));
    if (context.codeLabel().equals("current")) {
      rows.addAll(withoutReadCache(context, health));
    }
    return rows;
  }

  /** The owner list and the slug check against the same SQL issued directly: what the service adds. */
  private static List<BenchRow> againstDirectSql(BenchContext context, double owner, double slug) throws Exception {
    double directOwner;
    double directSlug;
    try (DirectLoad direct = new DirectLoad(context.mariaDb())) {
      directOwner = direct.opsPerSecond(pool -> pool.preparedQuery(OWNER_SQL)
          .execute(Tuple.of(BenchDatabase.SAMPLE_OWNER)).map(HttpListsSection::readAll), context.measureFor());
      directSlug = direct.opsPerSecond(pool -> pool.preparedQuery(SLUG_SQL)
          .execute(Tuple.of(BenchDatabase.SAMPLE_SLUG)).map(HttpListsSection::readAll), context.measureFor());
    }
    String direct = "its SQL directly (vertx-mysql-client, pool 8, 64 in flight)";
    return List.of(
        BenchRow.atLeast("direct.owner", "GET /users/{id}/wikis vs the same SQL issued directly", owner, "req/s",
            direct, directOwner, 0.9),
        BenchRow.atLeast("direct.slug", "GET /wikis/slug/{slug}/exists vs the same SQL issued directly", slug,
            "req/s", direct, directSlug, 0.9));
  }

  /**
   * Context for the current code: the same endpoints with its read cache turned off
   * ({@code http.read-cache-ttl: 0s}), i.e. what the indexes and the seek achieve alone. A tree without that
   * key refuses the configuration; then this is a note.
   */
  private static List<BenchRow> withoutReadCache(BenchContext context, double health) throws Exception {
    JsonObject config = context.baseConfig(context.scratch().resolve("farm"));
    config.getJsonObject("http").put("read-cache-ttl", "0s");
    List<BenchRow> rows = new ArrayList<>();
    try (ServiceUnderTest service = context.start(config)) {
      for (Endpoint e : ENDPOINTS) {
        rows.add(BenchRow.atLeast(e.id() + ".cache-off", e.what() + ", read cache off", measureOrNote(context,
            service, e.path()), "req/s", "GET /health", health, e.goal()));
      }
    } catch (IllegalStateException refused) {
      context.note("no cache-off rows: the current code did not start with http.read-cache-ttl: 0s ("
          + refused.getMessage().lines().findFirst().orElse("") + ")");
    }
    return rows;
  }

  /** As {@link #measure}, but a URL that could not be measured is a note and a missing figure, not a failure. */
  static double measureOrNote(BenchContext context, ServiceUnderTest service, String path) {
    try {
      return measure(context, service, path);
    } catch (Exception e) {
      context.note("GET " + path + " not measured: " + e.getMessage());
      return Double.NaN;
    }
  }

  /** wrk after its warm-up; an answer other than 2xx makes the figure meaningless, so it fails the section. */
  static double measure(BenchContext context, ServiceUnderTest service, String path) throws Exception {
    String url = service.baseUrl() + path;
    context.warmUp(url, CONNECTIONS, null);
    WrkResult result = context.wrk(url, CONNECTIONS, null);
    result.requireClean("GET " + path, service.log());
    return result.requestsPerSecond();
  }

  /** Touches every column of every row, as any caller that uses the answer does. */
  private static int readAll(Iterable<Row> rows) {
    int n = 0;
    for (Row row : rows) {
      for (int i = 0; i < row.size(); i++) {
        n += row.getValue(i) == null ? 0 : 1;
      }
    }
    return n;
  }
}
