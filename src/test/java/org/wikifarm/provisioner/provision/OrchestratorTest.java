package org.wikifarm.provisioner.provision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * The orchestrator's own rules (SPEC §6), with in-test phases and an in-memory ledger: transient failures are
 * retried with growing waits, bounded; permanent ones fail at once; rollback runs newest first and names what
 * it could not remove; completed phases are skipped on resume; a worker that lost its lease stops between
 * phases and leaves everything to the new owner; messages are redacted and never name Java classes.
 */
class OrchestratorTest {
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(10);
  private static final Duration RETRY_FOR = Duration.ofMillis(200);
  /** A Java class name (simple or qualified) as it would leak from an exception. */
  private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z]*(Exception|Error)\\b|\\bjava\\.|\\borg\\.wikifarm");

  private static AppConfig config;

  private InMemoryLedger ledger;
  private Redactor redactor;
  private List<String> output;
  private PhaseContext ctx;
  private RecordingListener listener;
  /** Everything the phases did, in order: "run a", "undo a directory /farm/a", … */
  private List<String> log;

  @BeforeEach
  void setUp() {
    ledger = new InMemoryLedger();
    redactor = new Redactor(List.of("s3cret-admin-password"));
    output = Collections.synchronizedList(new ArrayList<>());
    ctx = new PhaseContext(new WikiRequest("8d3f2c1a-0b4e-4c6d-9a7f-1e2d3c4b5a69", 7, "My Wiki", "my-wiki", "en",
        Path.of("/nonexistent/template")), config(), ledger, redactor, output::add);
    listener = new RecordingListener();
    log = Collections.synchronizedList(new ArrayList<>());
  }

  @Test
  void transientFailuresAreRetriedWithGrowingWaitsUntilTheySucceed() {
    List<Long> attemptsAt = new ArrayList<>();
    FakePhase flaky = new FakePhase("db_provision").failing(n -> {
      attemptsAt.add(System.nanoTime());
      return switch (n) {
        case 1 -> new ProvisionException("the database server did not answer", true,
            new ConnectException("Connection refused"));
        case 2 -> new ConnectException("Connection refused");
        case 3 -> new ProvisionException("timed out reaching the database", true, null);
        default -> null;
      };
    });
    Orchestrator orchestrator = new Orchestrator(List.of(step(flaky, 30)), Duration.ofSeconds(5), FIRST_BACKOFF);

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.SUCCEEDED, outcome.result(), outcome.message());
    assertEquals(4, flaky.attempts.get(), "three transient failures, then the fourth attempt succeeds");
    // the waits double from the first backoff: at least 10, 20 and 40 ms (sleep never returns early)
    for (int i = 1; i < attemptsAt.size(); i++) {
      long waitedMs = (attemptsAt.get(i) - attemptsAt.get(i - 1)) / 1_000_000;
      long expected = FIRST_BACKOFF.toMillis() << (i - 1);
      assertTrue(waitedMs >= expected, "wait before attempt " + (i + 1) + " was " + waitedMs + " ms, expected >= "
          + expected + " ms (exponential backoff)");
    }
    assertEquals(3, output.size(), output.toString());
    for (String line : output) {
      assertTrue(line.startsWith("waiting for a dependency to answer again (db_provision step): retrying in"),
          "says what it waits for: " + line);
      assertTrue(line.endsWith("for up to 5 s in all"), "and for how long: " + line);
    }
    assertTrue(ledger.donePhases().contains("db_provision"));
  }

  @Test
  void transientFailuresGiveUpAfterTheRetryTimeAndRollBackNewestFirst() {
    FakePhase copy = new FakePhase("dir_copy").creating("directory", "/farm/wikis/my-wiki");
    FakePhase db = new FakePhase("db_provision").creating("database", "wiki_my_wiki").creating("db_user", "wiki_my_wiki");
    FakePhase keys = new FakePhase("oauth").creating("directory", "/farm/oauth/my-wiki")
        .failing(n -> new ProvisionException("the key store did not answer; check that it is running", true,
            new ConnectException("Connection refused")));
    Orchestrator orchestrator = new Orchestrator(List.of(step(copy, 10), step(db, 30), step(keys, 40)), RETRY_FOR, FIRST_BACKOFF);

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.FAILED_CLEAN, outcome.result(), outcome.message());
    assertFalse(outcome.succeeded());
    assertTrue(outcome.cleanedUp());
    // waits of 10, 20, 40, 80 ms fit the 200 ms budget; a fifth wait of 160 ms would not
    assertEquals(5, keys.attempts.get(), "bounded by the retry time");
    assertEquals(List.of(
        "run dir_copy", "run db_provision", "run oauth", "run oauth", "run oauth", "run oauth", "run oauth",
        "undo oauth directory /farm/oauth/my-wiki",
        "undo db_provision db_user wiki_my_wiki",
        "undo db_provision database wiki_my_wiki",
        "undo dir_copy directory /farm/wikis/my-wiki"), log);
    assertEquals(List.of(), ledger.entries(), "a complete rollback clears the ledger");
    assertEquals(Set.of(), ledger.donePhases());
    assertEquals("oauth failed: the key store did not answer; check that it is running", outcome.message());
    assertEquals(List.of("dir_copy", "db_provision", "oauth"), listener.started);
    assertEquals(List.of("dir_copy", "db_provision"), listener.finished, "a failed phase is not reported finished");
  }

  @Test
  void aPermanentFailureFailsAtOnce() {
    FakePhase copy = new FakePhase("dir_copy").creating("directory", "/farm/wikis/my-wiki");
    FakePhase db = new FakePhase("db_provision")
        .failing(n -> ProvisionException.conflict("the database wiki_my_wiki"));
    FakePhase never = new FakePhase("oauth");
    Orchestrator orchestrator = new Orchestrator(List.of(step(copy, 10), step(db, 30), step(never, 40)),
        Duration.ofSeconds(60), Duration.ofSeconds(30)); // a retry would make this test time out

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.FAILED_CLEAN, outcome.result());
    assertEquals(1, db.attempts.get(), "a permanent error is not retried");
    assertEquals(0, never.attempts.get());
    assertEquals(List.of(), output, "no retry announced");
    assertEquals(List.of("run dir_copy", "run db_provision", "undo dir_copy directory /farm/wikis/my-wiki"), log);
    assertTrue(outcome.message().startsWith("db_provision failed: the database wiki_my_wiki already exists"),
        outcome.message());
  }

  @Test
  void anUnclassifiedExceptionIsPermanentToo() {
    FakePhase broken = new FakePhase("render_ini").failing(n -> new IllegalStateException("ini template unreadable"));
    Orchestrator orchestrator = new Orchestrator(List.of(step(broken, 20)), Duration.ofSeconds(5), Duration.ofSeconds(30));

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.FAILED_CLEAN, outcome.result());
    assertEquals(1, broken.attempts.get());
  }

  @Test
  void resumeSkipsCompletedPhasesAndReportsProgressFromWhereTheyEnded() {
    FakePhase a = new FakePhase("dir_copy");
    FakePhase b = new FakePhase("render_ini");
    FakePhase c = new FakePhase("db_provision");
    FakePhase d = new FakePhase("oauth");
    ledger.markDone("dir_copy");
    ledger.markDone("render_ini");
    Orchestrator orchestrator = new Orchestrator(
        List.of(step(a, 10), step(b, 20), step(c, 30), step(d, 40)), Duration.ofSeconds(5), FIRST_BACKOFF);
    // phaseFinished comes after the ledger knows the phase is done (a crash right after it must not redo it)
    listener.onFinished = phase -> log.add("finished " + phase + " done=" + ledger.donePhases().contains(phase));

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.SUCCEEDED, outcome.result());
    assertEquals("wiki created", outcome.message());
    assertEquals(0, a.attempts.get(), "done phases are skipped");
    assertEquals(0, b.attempts.get(), "done phases are skipped");
    assertEquals(List.of(
        "progress db_provision 20 db_provision step",
        "started db_provision",
        "progress db_provision 30 db_provision step: done",
        "progress oauth 30 oauth step",
        "started oauth",
        "progress oauth 40 oauth step: done"), listener.events);
    assertEquals(List.of("db_provision", "oauth"), listener.finished);
    listener.durations.forEach(took -> assertFalse(took.isNegative()));
    assertEquals(List.of("run db_provision", "finished db_provision done=true", "run oauth",
        "finished oauth done=true"), log);
    assertEquals(Set.of("dir_copy", "render_ini", "db_provision", "oauth"), ledger.donePhases());
    assertEquals(20, orchestrator.progressAfter(Set.of("dir_copy", "render_ini")));
    assertEquals(0, orchestrator.progressAfter(Set.of()));
  }

  @Test
  void phasesStillToRunStartTheirWorkAheadBeforeTheFirstRunsAndTakeItOnce() {
    FakePhase copied = new FakePhase("dir_copy") {
      @Override
      public void prepare(PhaseContext c) {
        log.add("prepare " + name); // done before the crash: has nothing to prepare for
      }
    };
    FakePhase db = new FakePhase("db_provision") {
      @Override
      public void prepare(PhaseContext c) {
        throw new IllegalStateException("cannot start early"); // the phase then does its work in its turn
      }
    };
    FakePhase keys = new FakePhase("oauth") {
      @Override
      public void prepare(PhaseContext c) {
        log.add("prepare " + name);
        c.ahead().start(name, () -> "pair made ahead");
      }

      @Override
      public void run(PhaseContext c) throws Exception {
        log.add("took " + c.ahead().take(name, String.class).orElse("nothing"));
        super.run(c);
      }
    }.failing(n -> n == 1 ? new ConnectException("Connection refused") : null);
    ledger.markDone("dir_copy");
    Orchestrator orchestrator = new Orchestrator(List.of(step(copied, 10), step(db, 30), step(keys, 40)),
        Duration.ofSeconds(5), FIRST_BACKOFF);

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.SUCCEEDED, outcome.result(), outcome.message());
    // the retried attempt does the work itself: what the failed one had is never reused
    assertEquals(List.of("prepare oauth", "run db_provision", "took pair made ahead", "run oauth",
        "took nothing", "run oauth"), log);
  }

  @Test
  void progressOfAFreshRunNeverGoesBack() {
    List<Orchestrator.Step> steps = new ArrayList<>();
    int[] after = {10, 20, 30, 40, 60, 70, 75, 90};
    for (int i = 0; i < after.length; i++) {
      steps.add(step(new FakePhase("phase" + i), after[i]));
    }
    Orchestrator.Outcome outcome = new Orchestrator(steps, Duration.ofSeconds(5), FIRST_BACKOFF).run(ctx, listener);

    assertEquals(Orchestrator.Result.SUCCEEDED, outcome.result());
    assertEquals(0, listener.values.get(0), "the first phase starts at 0");
    for (int i = 1; i < listener.values.size(); i++) {
      assertTrue(listener.values.get(i) >= listener.values.get(i - 1), "progress went back: " + listener.values);
    }
    assertEquals(90, listener.values.get(listener.values.size() - 1));
  }

  @Test
  void aWorkerThatLostItsLeaseStopsBetweenPhasesWithoutRollingBack() {
    FakePhase a = new FakePhase("dir_copy").creating("directory", "/farm/wikis/my-wiki");
    FakePhase b = new FakePhase("render_ini").creating("file", "/farm/wikis/my-wiki/pubwiki.ini");
    FakePhase c = new FakePhase("db_provision");
    Orchestrator orchestrator = new Orchestrator(List.of(step(a, 10), step(b, 20), step(c, 30)), Duration.ofSeconds(5), FIRST_BACKOFF);
    AtomicInteger ownerChecks = new AtomicInteger();

    // still the owner before the first phase, not any more before the second
    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener, () -> ownerChecks.incrementAndGet() == 1);

    assertEquals(Orchestrator.Result.ABANDONED, outcome.result());
    assertFalse(outcome.cleanedUp());
    assertEquals(List.of("run dir_copy"), log, "no further phase runs and nothing is undone");
    assertEquals(0, b.attempts.get());
    assertEquals(0, c.attempts.get());
    assertEquals(List.of(new LedgerEntry("dir_copy", "directory", "/farm/wikis/my-wiki")), ledger.entries(),
        "the new owner resumes from the ledger, so it is left as it is");
    assertEquals(Set.of("dir_copy"), ledger.donePhases());
    assertEquals(List.of("dir_copy"), listener.started);
  }

  @Test
  void anUndoThatFailsLeavesTheTaskFailedWithLeftoversNamed() {
    FakePhase copy = new FakePhase("dir_copy").creating("directory", "/farm/wikis/my-wiki")
        .undoFailing(new IOException("permission denied (password s3cret-admin-password)"));
    FakePhase db = new FakePhase("db_provision").creating("database", "wiki_my_wiki");
    FakePhase keys = new FakePhase("oauth").failing(n -> new ProvisionException("could not write the key pair"));
    Orchestrator orchestrator = new Orchestrator(List.of(step(copy, 10), step(db, 30), step(keys, 40)), RETRY_FOR, FIRST_BACKOFF);

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    assertEquals(Orchestrator.Result.FAILED_WITH_LEFTOVERS, outcome.result(), outcome.message());
    assertFalse(outcome.cleanedUp());
    // every undo is attempted, newest first, even after one failed
    assertEquals(List.of("run dir_copy", "run db_provision", "run oauth", "undo db_provision database wiki_my_wiki",
        "undo dir_copy directory /farm/wikis/my-wiki"), log);
    assertTrue(outcome.message().startsWith("oauth failed: could not write the key pair"), outcome.message());
    // only what is really left is named (the database went)
    assertTrue(outcome.message().endsWith(
        " Rollback could not remove: directory /farm/wikis/my-wiki; remove them by hand."), outcome.message());
    assertFalse(outcome.message().contains("s3cret-admin-password"), outcome.message());
    assertFalse(CLASS_NAME.matcher(outcome.message()).find(), outcome.message());
    assertEquals(2, ledger.entries().size(), "the ledger is kept for the operator");
  }

  @Test
  void failureMessagesAreRedactedAndNameNoJavaClass() {
    FakePhase db = new FakePhase("db_provision") {
      @Override
      public void run(PhaseContext c) throws Exception {
        c.addSecret("generated-wiki-password-42");
        c.output("CREATE USER wiki_my_wiki IDENTIFIED BY 'generated-wiki-password-42'");
        super.run(c);
      }
    }.failing(n -> new ProvisionException("login as admin with s3cret-admin-password failed; the new user's "
        + "password generated-wiki-password-42 was not set. Check WIKI_DB_ADMIN_USER.", false,
        new java.sql.SQLException("Access denied for user 'admin'")));
    Orchestrator orchestrator = new Orchestrator(List.of(step(db, 30)), Duration.ofSeconds(5), FIRST_BACKOFF);

    Orchestrator.Outcome outcome = orchestrator.run(ctx, listener);

    String message = outcome.message();
    assertEquals(Orchestrator.Result.FAILED_CLEAN, outcome.result());
    assertFalse(message.contains("s3cret-admin-password"), message);
    assertFalse(message.contains("generated-wiki-password-42"), message);
    assertTrue(message.contains("***"), message);
    assertFalse(CLASS_NAME.matcher(message).find(), "a Java class name leaked: " + message);
    assertFalse(message.contains("Access denied"), "only the ProvisionException's own words reach users: " + message);
    assertEquals(List.of("CREATE USER wiki_my_wiki IDENTIFIED BY '***'"), output, "phase output is redacted too");
  }

  // --- helpers

  private static Orchestrator.Step step(Phase phase, int progressAfter) {
    return new Orchestrator.Step(phase, progressAfter, phase.name() + " step");
  }

  /** A minimal valid configuration; the orchestrator itself reads none of it, nothing connects anywhere. */
  private static synchronized AppConfig config() {
    if (config == null) {
      config = ConfigLoader.fromJson(new JsonObject()
          .put("database", new JsonObject().put("url", "mysql://app:app-password@127.0.0.1:1/wiki"))
          .put("farm", new JsonObject().put("wiki-dir", "/nonexistent/wikis").put("oauth-dir", "/nonexistent/oauth")
              .put("template", "/nonexistent/template").put("root-host", "wiki.test"))
          .put("wiki-db", new JsonObject().put("host", "127.0.0.1:1").put("admin-user", "admin")
              .put("shared-db-name", "shared"))
          .put("executor", new JsonObject().put("type", "local").put("user", "")));
    }
    return config;
  }

  /** What a failing attempt throws; null lets the attempt succeed. */
  private interface Failure {
    Exception forAttempt(int attempt);
  }

  /** A phase that records its resources in the ledger before "creating" them, and logs what it does. */
  private class FakePhase implements Phase {
    final String name;
    final List<LedgerEntry> creates = new ArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    Failure failure = n -> null;
    Exception undoFailure;

    FakePhase(String name) {
      this.name = name;
    }

    FakePhase creating(String kind, String ref) {
      creates.add(new LedgerEntry(name, kind, ref));
      return this;
    }

    FakePhase failing(Failure f) {
      this.failure = f;
      return this;
    }

    FakePhase undoFailing(Exception e) {
      this.undoFailure = e;
      return this;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void run(PhaseContext c) throws Exception {
      int attempt = attempts.incrementAndGet();
      log.add("run " + name);
      creates.forEach(c.ledger()::record);
      Exception e = failure.forAttempt(attempt);
      if (e != null) {
        throw e;
      }
    }

    @Override
    public void undo(LedgerEntry entry, PhaseContext c) throws Exception {
      log.add("undo " + entry.phase() + " " + entry.kind() + " " + entry.ref());
      if (undoFailure != null) {
        throw undoFailure;
      }
    }
  }

  private static final class RecordingListener implements ProgressListener {
    final List<String> events = new ArrayList<>();
    final List<Integer> values = new ArrayList<>();
    final List<String> started = new ArrayList<>();
    final List<String> finished = new ArrayList<>();
    final List<Duration> durations = new ArrayList<>();
    java.util.function.Consumer<String> onFinished = phase -> {};

    @Override
    public void progress(String phase, int progress, String message) {
      events.add("progress " + phase + " " + progress + " " + message);
      values.add(progress);
    }

    @Override
    public void phaseStarted(String phase) {
      events.add("started " + phase);
      started.add(phase);
    }

    @Override
    public void phaseFinished(String phase, Duration took) {
      finished.add(phase);
      durations.add(took);
      onFinished.accept(phase);
    }
  }
}
