package org.wikifarm.provisioner.embedded;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * One MariaDB and one Redis per test JVM, started on first use and stopped at JVM exit. Tests share them and
 * isolate themselves with their own slugs / databases, or call {@link #truncateMetadata()}.
 */
public final class TestInfra {
  private static EmbeddedMariaDb mariaDb;
  private static EmbeddedRedis redis;
  private static Path root;

  private TestInfra() {}

  /** A scratch directory for this JVM under {@code target/}, removed at exit. */
  public static synchronized Path scratch() throws Exception {
    if (root == null) {
      root = Files.createDirectories(Path.of("target", "test-infra", "jvm-" + ProcessHandle.current().pid()))
          .toAbsolutePath();
      Path toDelete = root;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(toDelete)));
    }
    return root;
  }

  public static synchronized EmbeddedMariaDb mariaDb() throws Exception {
    if (mariaDb == null) {
      EmbeddedMariaDb db = EmbeddedMariaDb.start(scratch().resolve("mariadb-data"), 0);
      db.source(Path.of("sql", "tables.sql").toAbsolutePath(), EmbeddedMariaDb.METADATA_DB);
      db.run("CREATE TABLE IF NOT EXISTS `user` (user_id INT UNSIGNED PRIMARY KEY, user_name VARBINARY(255)); "
          + "CREATE TABLE IF NOT EXISTS user_properties (up_user INT UNSIGNED, up_property VARBINARY(255), up_value BLOB); "
          + "CREATE TABLE IF NOT EXISTS actor (actor_id BIGINT UNSIGNED PRIMARY KEY, actor_name VARBINARY(255)); "
          + "CREATE TABLE IF NOT EXISTS secret_stuff (id INT PRIMARY KEY);", EmbeddedMariaDb.SHARED_DB);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          db.close();
        } catch (Exception ignored) {
          // the JVM is exiting; the data dir is deleted by scratch()'s hook
        }
      }));
      mariaDb = db;
    }
    return mariaDb;
  }

  public static synchronized EmbeddedRedis redis() throws Exception {
    if (redis == null) {
      EmbeddedRedis r = EmbeddedRedis.start(0);
      Runtime.getRuntime().addShutdownHook(new Thread(r::close));
      redis = r;
    }
    return redis;
  }

  /** Empties the wikifarm tables (tests that count rows start from zero). */
  public static void truncateMetadata() throws Exception {
    mariaDb().run("SET FOREIGN_KEY_CHECKS=0; TRUNCATE wikifarm_tasks; TRUNCATE wikifarm_wiki_group_permissions; "
        + "TRUNCATE wikifarm_wikis; SET FOREIGN_KEY_CHECKS=1;", EmbeddedMariaDb.METADATA_DB);
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (Exception ignored) {
      // best effort at exit
    }
  }
}
