package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.store.Pools;
import org.wikifarm.provisioner.store.WikiStore;
import org.wikifarm.provisioner.store.WikiStore.ListAnchor;

/**
 * The lists read through the list indexes (sql/migrations/20261127_wikifarm_wikis_list_indexes.sql) and the
 * index-only page lookup answer exactly what the plain {@code ORDER BY created_at DESC, id DESC LIMIT/OFFSET}
 * query answers — every page, ties of {@code created_at} broken by id across page boundaries, {@code next_offset}
 * — with the migration and without it, through the cache in any order of pages, and sought from any earlier row
 * (the anchors the cache remembers); and with the indexes MariaDB reads them in index order (no filesort).
 */
class WikiListsTest {
  private static final String B = "/provisioner/v1";
  private static final String LIST_INDEXES = "20261127_wikifarm_wikis_list_indexes.sql";
  private static final String READY_PUBLIC = "status = 'ready' AND visibility = 'public'";
  private static final String ORDER = " ORDER BY created_at DESC, id DESC";
  private static RunningService service;
  private static TestDb db;

  @BeforeAll
  static void seed() throws Exception {
    TestInfra.truncateMetadata();
    // 2,000 wikis of 40 owners in every status and visibility, three per minute: long runs of equal created_at
    TestInfra.mariaDb().run("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, "
        + "owner_username, visibility, status, is_featured, created_at) "
        + "SELECT CONCAT('List ', seq), CONCAT('list-', seq), CONCAT('list-', seq, '.wiki.test'), 'en', 1 + seq % 40, "
        + "'Lister', ELT(1 + (seq % 10 >= 8) + (seq % 10 = 9), 'public', 'private', 'unlisted'), "
        + "IF(seq % 20 = 0, 'failed', IF(seq % 33 = 0, 'pending', 'ready')), seq % 7 = 0, "
        + "'2026-01-01' + INTERVAL (seq DIV 3) MINUTE FROM seq_1_to_2000; ANALYZE TABLE wikifarm_wikis;",
        EmbeddedMariaDb.METADATA_DB);
    // and 45 created in the same second, so whole pages and their boundaries are ties
    TestInfra.mariaDb().run("INSERT INTO wikifarm_wikis (name, slug, domain, language, owner_user_id, "
        + "owner_username, visibility, status, is_featured, created_at) "
        + "SELECT CONCAT('Tie ', seq), CONCAT('tie-', seq), CONCAT('tie-', seq, '.wiki.test'), 'en', 41, 'Tied', "
        + "'public', 'ready', seq % 2, '2026-06-01 12:00:00' FROM seq_1_to_45", EmbeddedMariaDb.METADATA_DB);
    service = RunningService.startApiOnly();
    db = new TestDb();
  }

  @AfterAll
  static void stop() throws Exception {
    if (service != null) {
      service.close();
    }
    if (db != null) {
      db.close();
    }
    TestInfra.truncateMetadata();
  }

  @Test
  void everyPageIsThePlainQuerysPageWithAndWithoutTheListIndexes() throws Exception {
    assertPagesMatchThePlainQuery();
    assertOwnerListsMatchThePlainQuery();
    TestInfra.mariaDb().run("ALTER TABLE wikifarm_wikis DROP INDEX idx_list_featured, DROP INDEX idx_list_public, "
        + "DROP INDEX idx_owner_created", EmbeddedMariaDb.METADATA_DB);
    try {
      assertPagesMatchThePlainQuery();
      assertOwnerListsMatchThePlainQuery();
    } finally {
      // the migration puts them back (and is harmless when run again)
      for (int i = 0; i < 2; i++) {
        TestInfra.mariaDb().source(Path.of("sql", "migrations", LIST_INDEXES).toAbsolutePath(),
            EmbeddedMariaDb.METADATA_DB);
      }
    }
    assertPagesMatchThePlainQuery();
  }

  @Test
  void aPageSoughtFromAnyEarlierRowIsThePlainQuerysPage() throws Exception {
    Vertx vertx = Vertx.vertx();
    Pool pool = Pools.metadata(vertx, service.app.config().database());
    try {
      WikiStore store = new WikiStore(pool);
      for (boolean featuredOnly : new boolean[] {true, false}) {
        String where = READY_PUBLIC + (featuredOnly ? " AND is_featured = 1" : "");
        List<Row> all = new ArrayList<>();
        db.query("SELECT id, created_at FROM wikifarm_wikis WHERE " + where + ORDER).forEach(all::add);
        // positions inside the tied second (the first 45 public rows) and far down the list
        for (int offset : List.of(1, 5, 23, 44, 45, 46, 300, all.size() - 3, all.size())) {
          for (int position : List.of(0, offset / 2, offset - 1)) {
            if (position >= offset || position >= all.size()) {
              continue;
            }
            Row row = all.get(position);
            ListAnchor anchor = new ListAnchor(position, row.getLocalDateTime(1).toInstant(ZoneOffset.UTC), row.getLong(0));
            WikiStore.Page page = store.listPublic(featuredOnly, 7, offset, anchor).toCompletionStage()
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
            List<String> expected = slugs("SELECT slug FROM wikifarm_wikis WHERE " + where + ORDER + " LIMIT 7 OFFSET ?",
                offset);
            List<String> got = page.wikis().stream().map(w -> w.slug()).toList();
            assertEquals(expected, got, "featured " + featuredOnly + ", offset " + offset + " from " + position);
            assertEquals(offset + 7 < all.size() ? (Integer) (offset + 7) : null, page.nextOffset());
          }
        }
      }
    } finally {
      pool.close();
      vertx.close();
    }
  }

  @Test
  void pagesReadThroughTheCacheInAnyOrderAreThePlainQuerysPages() throws Exception {
    try (RunningService cached = RunningService.startApiOnly(json -> json.getJsonObject("http")
        .put("read-cache-ttl", "60s"))) {
      int total = (int) db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE " + READY_PUBLIC);
      // forwards page by page (each read seeks from the row the previous page ended on), then deep pages first
      List<Integer> offsets = new ArrayList<>();
      for (int offset = 0; offset < 80; offset += 4) {
        offsets.add(offset);
      }
      offsets.addAll(List.of(total - 2, 1000, 999, 1003, 41, 42, 43, 44, 45, 46, 1500, 1001));
      for (int offset : offsets) {
        String url = B + "/wikis/public?limit=4&offset=" + offset;
        List<String> expected = slugs("SELECT slug FROM wikifarm_wikis WHERE " + READY_PUBLIC + ORDER
            + " LIMIT 4 OFFSET ?", offset);
        assertEquals(expected, slugsOf(cached.client.get(url).json().getJsonArray("wikis")), url);
        assertEquals(expected, slugsOf(cached.client.get(url).json().getJsonArray("wikis")), url + " (kept)");
      }
    }
  }

  @Test
  void theListIndexesServeEachListsOrderWithoutASort() throws Exception {
    List<String> lists = List.of(
        "SELECT id FROM wikifarm_wikis WHERE " + READY_PUBLIC + " AND is_featured = 1" + ORDER + " LIMIT 21 OFFSET 0",
        "SELECT id FROM wikifarm_wikis WHERE " + READY_PUBLIC + ORDER + " LIMIT 21 OFFSET 0",
        "SELECT id FROM wikifarm_wikis WHERE " + READY_PUBLIC + ORDER + " LIMIT 21 OFFSET 1000",
        "SELECT id, name FROM wikifarm_wikis WHERE owner_user_id = 7" + ORDER,
        "SELECT id, name FROM wikifarm_wikis WHERE owner_user_id = 7 AND visibility = 'public'" + ORDER);
    for (String sql : lists) {
      for (Row plan : db.query("EXPLAIN " + sql)) {
        String extra = String.valueOf(plan.getValue("Extra"));
        assertFalse(extra.contains("filesort"), sql + " → " + plan.toJson());
        assertTrue(String.valueOf(plan.getValue("key")).startsWith("idx_"), sql + " → " + plan.toJson());
      }
    }
  }

  private static void assertPagesMatchThePlainQuery() throws Exception {
    for (String featured : List.of("1", "0")) {
      String where = READY_PUBLIC + ("1".equals(featured) ? " AND is_featured = 1" : "");
      int total = (int) db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE " + where);
      for (int limit : List.of(1, 7, 20, 100)) {
        for (int offset : List.of(0, 1, 6, 7, 20, total - limit, total - 1, total, total + 5)) {
          if (offset < 0) {
            continue;
          }
          String url = B + "/wikis?featured=" + featured + "&limit=" + limit + "&offset=" + offset;
          JsonObject page = service.client.get(url).json();
          List<String> expected = slugs("SELECT slug FROM wikifarm_wikis WHERE " + where + ORDER + " LIMIT ? OFFSET ?",
              limit, offset);
          assertEquals(expected, slugsOf(page.getJsonArray("wikis")), url);
          if (offset + limit < total) {
            assertEquals(offset + limit, page.getInteger("next_offset"), url);
          } else {
            assertFalse(page.containsKey("next_offset"), url + " → " + page.getValue("next_offset"));
          }
        }
      }
    }
    // the tied second: pages of 4 cut through it; together they are the tie ordered by id, newest first
    List<String> walked = new ArrayList<>();
    for (int offset = 0; offset < 48; offset += 4) {
      walked.addAll(slugsOf(service.client.get(B + "/wikis/public?limit=4&offset=" + offset).json()
          .getJsonArray("wikis")));
    }
    List<String> ties = new ArrayList<>();
    for (int seq = 45; seq >= 1; seq--) {
      ties.add("tie-" + seq);
    }
    assertEquals(ties, walked.subList(0, 45));
  }

  private static void assertOwnerListsMatchThePlainQuery() throws Exception {
    for (long owner : List.of(7L, 41L, 999L)) {
      // body identity mode: the trusted proxy sees every wiki of the owner
      assertEquals(slugs("SELECT slug FROM wikifarm_wikis WHERE owner_user_id = ?" + ORDER, owner),
          slugsOf(service.client.get(B + "/users/" + owner + "/wikis").json().getJsonArray("wikis")));
    }
  }

  private static List<String> slugs(String sql, Object... params) throws Exception {
    List<String> out = new ArrayList<>();
    db.query(sql, params).forEach(row -> out.add(row.getString(0)));
    return out;
  }

  private static List<String> slugsOf(JsonArray wikis) {
    return ApiClient.slugsOf(wikis);
  }
}
