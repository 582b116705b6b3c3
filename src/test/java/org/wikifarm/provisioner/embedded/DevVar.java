package org.wikifarm.provisioner.embedded;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The dev mode's data directory ({@code var/}): the database ({@code mariadb/}), Redis ({@code redis/}), the
 * farm ({@code farm/wikis}, {@code farm/oauth}), the templates, the server logs. It belongs together: a database
 * without the wiki directories it describes, or the reverse, is refused rather than half re-created, and the only
 * way to start over is {@code --reset}, which empties all of it.
 *
 * <p>One dev mode at a time per directory: a file lock, held until the servers have stopped. A second start
 * while the first still stops waits for it; the OS drops the lock of a crashed JVM, and the servers it left
 * running are then stopped by their pid files ({@link ServerProcess#stopLeftover}).
 */
final class DevVar implements AutoCloseable {
  private static final String MARKER = ".wikifarm-dev";
  private static final String LOCK = ".lock";
  private static final Duration LOCK_WAIT = Duration.ofSeconds(90);
  /** Everything the dev mode writes into var/ (and demo-template/, where earlier versions kept the template). */
  private static final Set<String> OURS = Set.of(MARKER, "mariadb", "mariadb-tmp", "mariadb-base", "mariadb.log",
      "mariadb.sock", "redis", "redis.log", "farm", "templates", "demo-template", "wiki-router.php",
      "wiki-server.log", "wiki-server.pid");

  final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final boolean fresh;

  private DevVar(Path dir, FileChannel lockChannel, FileLock lock, boolean fresh) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.fresh = fresh;
  }

  static DevVar open(Path dir, boolean reset, PrintStream out) throws Exception {
    Files.createDirectories(dir);
    FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    if (lock == null) {
      out.println("another dev mode is using " + dir + " (still stopping?): waiting for it …");
      long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
      while (lock == null && System.nanoTime() < deadline) {
        Thread.sleep(250);
        lock = channel.tryLock();
      }
      if (lock == null) {
        channel.close();
        throw new DevModeException("another dev mode is still running with " + dir + ". Stop it (Ctrl-C in its "
            + "terminal), or give this one its own directory with -Dwikifarm.dev.var=…");
      }
    }
    try {
      if (reset) {
        out.println("--reset: deleting everything in " + dir);
        reset(dir);
      }
      requireWhole(dir);
      boolean fresh = !Files.exists(database(dir));
      return new DevVar(dir, channel, lock, fresh);
    } catch (Exception e) {
      lock.release();
      channel.close();
      throw e;
    }
  }

  Path mariaDb() {
    return dir.resolve("mariadb");
  }

  Path redis() {
    return dir.resolve("redis");
  }

  Path wikis() {
    return dir.resolve("farm").resolve("wikis");
  }

  Path oauth() {
    return dir.resolve("farm").resolve("oauth");
  }

  Path templates() {
    return dir.resolve("templates");
  }

  /** True when this start creates the data (no database yet). */
  boolean fresh() {
    return fresh;
  }

  /** Marks the directory as a complete dev-mode data directory (once everything in it was set up). */
  void markComplete() throws IOException {
    Path marker = dir.resolve(MARKER);
    if (!Files.exists(marker)) {
      Files.writeString(marker, "WikiFarm Provisioner dev mode data, created " + Instant.now() + "\n");
    }
  }

  /**
   * After the database is up: every wiki row must have its directory (and the farm root must exist once the
   * database knows wikis). {@code slugs} are the rows' slugs.
   */
  void requireDirectoriesFor(List<String> slugs) {
    List<String> missing = slugs.stream().filter(s -> !Files.isDirectory(wikis().resolve(s))).toList();
    if (!missing.isEmpty()) {
      throw new DevModeException("the database in " + mariaDb() + " lists " + slugs.size() + " wiki(s) but "
          + wikis() + " lacks " + String.join(", ", missing) + ". The dev mode does not start on half of its data: "
          + "restore those directories, or start over with --reset (deletes all of " + dir + ").");
    }
  }

  private static Path database(Path dir) {
    return dir.resolve("mariadb").resolve("mysql").resolve("user.frm");
  }

  /** Wiki directories without the database that created them: refuse (re-creating the database would orphan them). */
  private static void requireWhole(Path dir) throws IOException {
    Path wikis = dir.resolve("farm").resolve("wikis");
    if (Files.exists(database(dir)) || !Files.isDirectory(wikis)) {
      return;
    }
    List<String> names;
    try (Stream<Path> list = Files.list(wikis)) {
      names = list.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).sorted().toList();
    }
    if (!names.isEmpty()) {
      throw new DevModeException(wikis + " holds " + names.size() + " wiki(s) (" + String.join(", ", names)
          + ") but " + dir.resolve("mariadb") + " has no database. The dev mode does not start on half of its "
          + "data: restore the database, or start over with --reset (deletes all of " + dir + ").");
    }
  }

  /** Empties {@code dir} (all of it but the lock file), refusing a directory that is not the dev mode's. */
  private static void reset(Path dir) throws Exception {
    List<Path> entries;
    try (Stream<Path> list = Files.list(dir)) {
      entries = list.filter(p -> !p.getFileName().toString().equals(LOCK)).toList();
    }
    List<String> foreign = entries.stream().map(p -> p.getFileName().toString())
        .filter(n -> !OURS.contains(n)).sorted().toList();
    if (!foreign.isEmpty()) {
      throw new DevModeException("--reset refuses to empty " + dir + ": the dev mode did not create "
          + String.join(", ", foreign));
    }
    // servers a crashed run left on these files go first: deleting data under a running server helps no one
    ServerProcess.stopLeftover(dir.resolve("mariadb").resolve("mariadbd.pid"), "mariadbd", Duration.ofSeconds(60));
    ServerProcess.stopLeftover(dir.resolve("redis").resolve("redis.pid"), "redis-server", Duration.ofSeconds(30));
    ServerProcess.stopLeftover(dir.resolve("wiki-server.pid"), "php", Duration.ofSeconds(10));
    for (Path entry : entries) {
      TestInfra.deleteTree(entry);
      if (Files.exists(entry)) {
        throw new DevModeException("--reset could not delete " + entry);
      }
    }
  }

  /** Releases the lock: the next dev mode may start. Called after the servers have stopped. */
  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      lockChannel.close();
    }
  }
}
