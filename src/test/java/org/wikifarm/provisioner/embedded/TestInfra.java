package org.wikifarm.provisioner.embedded;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

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
      // one hook, in order: the servers stop first, so nothing is still writing while the tree is deleted
      Runtime.getRuntime().addShutdownHook(new Thread(TestInfra::stopAll, "test-infra-cleanup"));
    }
    return root;
  }

  public static synchronized EmbeddedMariaDb mariaDb() throws Exception {
    if (mariaDb == null) {
      EmbeddedMariaDb db = EmbeddedMariaDb.start(scratch().resolve("mariadb-data"), 0); // scratch(): cleanup hook
      loadSchema(db, Path.of("sql"));
      mariaDb = db;
    }
    return mariaDb;
  }

  /**
   * The metadata schema of a {@code sql/} directory (its tables.sql, then its migrations in order) and the shared
   * database's tables, into an empty metadata database.
   */
  public static void loadSchema(EmbeddedMariaDb db, Path sqlDir) throws Exception {
    db.source(sqlDir.resolve("tables.sql").toAbsolutePath(), EmbeddedMariaDb.METADATA_DB);
    for (Path migration : migrations(sqlDir)) {
      db.source(migration.toAbsolutePath(), EmbeddedMariaDb.METADATA_DB);
    }
    createSharedTables(db);
  }

  /** The farm's shared database as phase 3 expects it: the shared tables, and one that must never be granted. */
  public static void createSharedTables(EmbeddedMariaDb db) throws Exception {
    db.run("CREATE TABLE IF NOT EXISTS `user` (user_id INT UNSIGNED PRIMARY KEY, user_name VARBINARY(255)); "
        + "CREATE TABLE IF NOT EXISTS user_properties (up_user INT UNSIGNED, up_property VARBINARY(255), up_value BLOB); "
        + "CREATE TABLE IF NOT EXISTS actor (actor_id BIGINT UNSIGNED PRIMARY KEY, actor_name VARBINARY(255)); "
        + "CREATE TABLE IF NOT EXISTS secret_stuff (id INT PRIMARY KEY);", EmbeddedMariaDb.SHARED_DB);
  }

  public static synchronized EmbeddedRedis redis() throws Exception {
    if (redis == null) {
      scratch(); // registers the cleanup hook
      redis = EmbeddedRedis.start(0);
    }
    return redis;
  }

  /** sql/migrations/*.sql in the order their dated names give, as an operator applies them. */
  public static java.util.List<Path> migrations() throws IOException {
    return migrations(Path.of("sql"));
  }

  /** The migrations of another {@code sql/} directory (an older commit's, say); none when it has no such folder. */
  public static java.util.List<Path> migrations(Path sqlDir) throws IOException {
    Path dir = sqlDir.resolve("migrations");
    if (!Files.isDirectory(dir)) {
      return java.util.List.of();
    }
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".sql")).sorted().toList();
    }
  }

  /** Empties the wikifarm tables (tests that count rows start from zero). */
  public static void truncateMetadata() throws Exception {
    mariaDb().run("SET FOREIGN_KEY_CHECKS=0; TRUNCATE wikifarm_tasks; TRUNCATE wikifarm_wiki_group_permissions; "
        + "TRUNCATE wikifarm_wikis; SET FOREIGN_KEY_CHECKS=1;", EmbeddedMariaDb.METADATA_DB);
  }

  private static synchronized void stopAll() {
    try {
      if (mariaDb != null) {
        mariaDb.close();
      }
    } catch (Exception ignored) {
      // the JVM is exiting
    }
    if (redis != null) {
      redis.close();
    }
    deleteTree(root);
  }

  /** Deletes a tree without following symlinks, carrying on past files that vanish or resist. */
  static void deleteTree(Path dir) {
    if (dir == null || !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          file.toFile().delete();
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path d, IOException e) {
          d.toFile().delete();
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException ignored) {
      // best effort at exit
    }
  }
}
