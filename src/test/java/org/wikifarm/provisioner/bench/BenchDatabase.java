package org.wikifarm.provisioner.bench;

import java.nio.file.Path;
import java.util.List;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * The metadata database as one code version sees it: dropped and created again from that version's own
 * {@code sql/tables.sql} and the migrations it has (so the baseline never gets an index a later migration adds),
 * then seeded. Done before every section, so each starts from the same 10,000 wikis whatever the last one wrote.
 */
final class BenchDatabase {
  static final int WIKIS = 10_000;
  static final int OWNERS = 500;
  /** An owner of the seed; every owner holds {@value #WIKIS} / {@value #OWNERS} = 20 wikis. */
  static final long SAMPLE_OWNER = 42;
  /** A slug of the seed. */
  static final String SAMPLE_SLUG = "bench-4242";

  /**
   * 10,000 wikis of 500 owners in one statement, a plausible farm: ~96 % ready (2 % pending, 2 % failed), 90 %
   * public (5 % private, 5 % unlisted), 12 % featured, created over ten months with every tenth wiki at midnight
   * (so several share one timestamp and the id breaks the tie), mostly English.
   */
  private static final String SEED = """
      INSERT INTO wikifarm_wikis (id, name, slug, domain, language, owner_user_id, owner_username, visibility,
        status, is_featured, created_at, updated_at)
      SELECT seq, CONCAT('Bench wiki ', seq), CONCAT('bench-', seq), CONCAT('bench-', seq, '.wiki.test'),
        IF(seq % 7 = 0, 'de', 'en'), 1 + seq % 500, CONCAT('user', 1 + seq % 500),
        CASE seq % 20 WHEN 3 THEN 'private' WHEN 7 THEN 'unlisted' ELSE 'public' END,
        CASE seq % 50 WHEN 0 THEN 'pending' WHEN 1 THEN 'failed' ELSE 'ready' END,
        IF(seq * 37 % 100 < 12, 1, 0),
        TIMESTAMP '2026-01-01 00:00:00' + INTERVAL IF(seq % 10 = 0, seq % 300 * 86400, seq * 7919 % 25920000) SECOND,
        TIMESTAMP '2026-01-01 00:00:00' + INTERVAL IF(seq % 10 = 0, seq % 300 * 86400, seq * 7919 % 25920000) SECOND
      FROM seq_1_to_10000""";

  private final EmbeddedMariaDb db;

  BenchDatabase(EmbeddedMariaDb db) {
    this.db = db;
  }

  /** A fresh metadata database built from {@code sqlDir} (tables.sql + migrations/*.sql by name), seeded. */
  void reset(Path sqlDir) throws Exception {
    String meta = EmbeddedMariaDb.METADATA_DB;
    db.run("DROP DATABASE IF EXISTS `" + meta + "`; "
        + "CREATE DATABASE `" + meta + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci", null);
    TestInfra.loadSchema(db, sqlDir);
    db.runEach(List.of(SEED, "ANALYZE TABLE wikifarm_wikis"), meta);
  }

  /** Indexes of wikifarm_wikis, for the report: shows which migrations this version ran with. */
  List<String> wikiIndexes() throws Exception {
    return db.queryColumn("SELECT DISTINCT index_name FROM information_schema.statistics WHERE table_schema = '"
        + EmbeddedMariaDb.METADATA_DB + "' AND table_name = 'wikifarm_wikis' ORDER BY index_name", null);
  }

  String serverVersion() throws Exception {
    return db.queryColumn("SELECT VERSION()", null).get(0);
  }
}
