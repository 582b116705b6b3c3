package org.wikifarm.provisioner.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.EmbeddedRedis;

/**
 * The benchmark runner behind {@code scripts/bench/run} (which builds both jars and passes them here): starts
 * one MariaDB and one Redis on loopback, then for each code version — the baseline commit first, the current
 * tree second — rebuilds and seeds the metadata database from that version's SQL and runs every section with
 * that version's fat jar. Sections are looked up by name, so a section another change has not added yet is
 * skipped with a note; a section that throws is reported as failed and the run goes on. All figures of one
 * report come from this one run.
 */
public final class BenchMain {
  /** In running order; the HTTP measurements come before the ones that leave the machine warm or busy. */
  static final List<String> SECTIONS = List.of("HttpListsSection", "PostSection", "MemorySection", "SseSection",
      "KeygenSection", "ProvisionSection");

  /**
   * Each section starts once the machine is this idle (share of all cores busy over a second; at most
   * {@link #IDLE_WAIT}): what the jar builds, the database reset or the previous section left running — InnoDB
   * purging, a JVM's JIT, a load client's exit — must not fall into its first figures. (One recorded run that
   * began at a load average of 7, right after the builds, read 2.08× where the same code read 1.27× later.)
   */
  static final double IDLE = 0.10;
  static final Duration IDLE_WAIT = Duration.ofSeconds(60);

  private BenchMain() {}

  public static void main(String[] args) {
    int status = 0;
    try {
      run(BenchOptions.parse(args));
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status); // the Vert.x instances of the embedded servers' helpers leave non-daemon threads
  }

  private static void run(BenchOptions options) throws Exception {
    Instant started = Instant.now();
    BenchReport report = new BenchReport(options);
    report.machineBefore();
    Path work = Files.createDirectories(options.work());
    EmbeddedMariaDb db = EmbeddedMariaDb.start(work.resolve("mariadb-data"), 0);
    EmbeddedRedis redis = EmbeddedRedis.start(0);
    try {
      BenchDatabase database = new BenchDatabase(db);
      report.servers(database.serverVersion(), redisVersion());
      List<BenchSection> sections = discover(report, options.only().isEmpty() ? SECTIONS : options.only());
      runVersion("baseline", options.baselineJar(), options.baselineSql(), sections, options, work, db, redis,
          database, report);
      runVersion("current", options.currentJar(), options.currentSql(), sections, options, work, db, redis,
          database, report);
    } finally {
      redis.close();
      db.close();
    }
    report.machineAfter(Duration.between(started, Instant.now()));
    report.write();
    System.out.println("bench: wrote " + options.report());
  }

  private static List<BenchSection> discover(BenchReport report, List<String> names) {
    List<BenchSection> found = new ArrayList<>();
    for (String name : names) {
      try {
        Class<?> type = Class.forName(BenchMain.class.getPackageName() + "." + name);
        found.add((BenchSection) type.getDeclaredConstructor().newInstance());
      } catch (ClassNotFoundException absent) {
        report.note(name + ": not in this tree, skipped");
      } catch (ReflectiveOperationException | ClassCastException e) {
        report.note(name + ": could not be created (" + e + "), skipped");
      }
    }
    return found;
  }

  private static void runVersion(String label, Path jar, Path sql, List<BenchSection> sections,
      BenchOptions options, Path work, EmbeddedMariaDb db, EmbeddedRedis redis, BenchDatabase database,
      BenchReport report) throws Exception {
    boolean once = label.equals("current"); // sections that do not measure the service's code run once, here
    boolean indexesNoted = false;
    for (BenchSection section : sections) {
      if (!section.perCodeVersion() && !once) {
        continue;
      }
      System.out.println("bench: " + label + " / " + section.name());
      database.reset(sql);
      if (!indexesNoted) {
        indexesNoted = true;
        report.note("the " + label + " code ran with the indexes of wikifarm_wikis: "
            + String.join(", ", database.wikiIndexes()));
      }
      Path root = Files.createDirectories(work.resolve(label));
      HarnessContext context = new HarnessContext(label, section.name(), options, jar, root, db, redis,
          report.notes());
      long waitFrom = System.nanoTime();
      double busy = ProcessCpu.awaitIdleMachine(IDLE, IDLE_WAIT);
      report.note(section.name() + " (" + label + ") started after " + (System.nanoTime() - waitFrom) / 1_000_000_000
          + " s of waiting for an idle machine, " + Math.round(busy * 100) + " % of the cores busy"
          + (busy >= IDLE ? " (still busy when the wait ran out)" : ""));
      long t0 = System.nanoTime();
      try {
        List<BenchRow> rows = section.run(context);
        report.add(label, section.perCodeVersion(), rows);
        rows.forEach(r -> System.out.printf("bench:   %-26s %12.2f %s%n", r.id(), r.value(), r.unit()));
      } catch (Exception | AssertionError e) {
        report.note(section.name() + " failed on the " + label + " code: " + e);
        e.printStackTrace(System.out);
      } finally {
        context.stopAll();
      }
      System.out.printf("bench: %s / %s took %d s%n", label, section.name(), (System.nanoTime() - t0) / 1_000_000_000);
    }
  }

  private static String redisVersion() {
    try {
      Process p = new ProcessBuilder(redis.embedded.RedisExecProvider.defaultProvider().get().getAbsolutePath(),
          "--version").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).strip();
      p.waitFor();
      return out.replaceAll(".*v=([0-9.]+).*", "$1");
    } catch (Exception e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
