package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Orchestrator;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.RollbackLedger;

/**
 * Crashes and failures at the worst moments — between a ledger record and the action it announces, and in the
 * middle of a phase — followed by rollback (and resume): nothing of the task may remain, and neighbouring
 * wikis with look-alike names must not be touched.
 */
class PhaseFailureInjectionTest {
  private static final String SLUG = "alpha";

  /** A crash of the process right after the n-th ledger write became durable. */
  static final class CrashAfterRecord extends RuntimeException {
    CrashAfterRecord() {
      super("injected crash");
    }
  }

  /** A durable ledger (here: the shared in-memory one) whose n-th {@code record} "kills the process" after it. */
  static final class CrashingLedger implements RollbackLedger {
    private final RollbackLedger durable;
    private int recordsLeft;

    CrashingLedger(RollbackLedger durable, int crashAfterRecord) {
      this.durable = durable;
      this.recordsLeft = crashAfterRecord;
    }

    @Override
    public void record(LedgerEntry entry) {
      durable.record(entry);
      if (--recordsLeft == 0) {
        throw new CrashAfterRecord();
      }
    }

    @Override
    public List<LedgerEntry> entries() {
      return durable.entries();
    }

    @Override
    public void markDone(String phase) {
      durable.markDone(phase);
    }

    @Override
    public Set<String> donePhases() {
      return durable.donePhases();
    }

    @Override
    public void clear() {
      durable.clear();
    }
  }

  private TestFarm farm;
  private Map<String, String> neighboursBefore;

  private TestFarm farmWithNeighbours(java.util.function.Consumer<JsonObject> tweak) throws Exception {
    TestFarm f = TestFarm.create(tweak);
    for (String neighbour : List.of("alpha-1", "alphabet", ".alpha.old")) {
      Path wiki = Files.createDirectories(f.wikis().resolve(neighbour));
      Files.writeString(wiki.resolve("pubwiki.ini"), "WIKI_SITE_NAME = \"" + neighbour + "\"\n");
      Files.createDirectories(f.oauth().resolve(neighbour));
      Files.writeString(f.oauth().resolve(neighbour).resolve("oauth.key"), "key of " + neighbour);
    }
    farm = f;
    neighboursBefore = TreeSnapshot.of(f.root);
    return f;
  }

  private static Orchestrator orchestrator() {
    List<Phase> phases = List.of(new DirCopyPhase(), new RenderIniPhase(), new OAuthKeysPhase(SpareKeyPairs.none()),
        new FlipBootstrapPhase());
    List<Orchestrator.Step> steps = List.of(
        new Orchestrator.Step(phases.get(0), 10, "copy template"),
        new Orchestrator.Step(phases.get(1), 20, "render settings"),
        new Orchestrator.Step(phases.get(2), 45, "create OAuth keys"),
        new Orchestrator.Step(phases.get(3), 80, "leave bootstrap mode"));
    return new Orchestrator(steps, Duration.ZERO, Duration.ofMillis(1)); // no retries
  }

  @ParameterizedTest(name = "crash after ledger record #{0}, then rollback")
  @ValueSource(ints = {1, 2, 3})
  void crashBetweenRecordAndActionIsRolledBackCompletely(int crashAt) throws Exception {
    farmWithNeighbours(json -> { });
    InMemoryLedger durable = new InMemoryLedger();
    PhaseContext ctx = farm.context(SLUG, "Alpha", new CrashingLedger(durable, crashAt));

    Orchestrator.Outcome outcome = orchestrator().run(ctx, (phase, pct, msg) -> { });

    assertFalse(outcome.succeeded());
    String crashedPhase = List.of("dir_copy", "render_ini", "oauth").get(crashAt - 1);
    assertTrue(outcome.message().startsWith(crashedPhase + " failed: an unexpected internal error. The operator "
        + "finds the details under incident "), outcome.message());
    assertFalse(outcome.message().contains("CrashAfterRecord"), "no class names in task messages: " + outcome.message());
    assertNothingLeftAndNeighboursUntouched(durable);
  }

  @ParameterizedTest(name = "crash after ledger record #{0}, a new process resumes, then rolls back")
  @ValueSource(ints = {1, 2, 3})
  void crashedTaskResumesAndCanStillBeRolledBack(int crashAt) throws Exception {
    farmWithNeighbours(json -> { });
    InMemoryLedger durable = new InMemoryLedger();
    PhaseContext crashed = farm.context(SLUG, "Alpha", new CrashingLedger(durable, crashAt));
    // the "process" runs phases until the crash kills it: no rollback happens
    assertThrows(CrashAfterRecord.class, () -> {
      for (Orchestrator.Step step : orchestrator().steps()) {
        step.phase().run(crashed);
        durable.markDone(step.phase().name());
      }
    });

    PhaseContext resumed = TestFarm.resumed(crashed, durable);
    Orchestrator.Outcome outcome = orchestrator().run(resumed, (phase, pct, msg) -> { });
    assertTrue(outcome.succeeded(), outcome.message());
    assertEquals("false", IniFile.read(resumed.iniFile()).get("WIKI_BOOTSTRAPING"));
    assertTrue(Files.isRegularFile(resumed.oauthDir().resolve("oauth.key")));

    assertEquals(null, orchestrator().rollback(resumed));
    assertNothingLeftAndNeighboursUntouched(durable);
  }

  @Test
  void renderFailureMidTaskUndoesTheCopy() throws Exception {
    farmWithNeighbours(json -> { });
    InMemoryLedger ledger = new InMemoryLedger();
    PhaseContext ctx = farm.context(SLUG, "NUL \0 in the name", ledger);

    Orchestrator.Outcome outcome = orchestrator().run(ctx, (phase, pct, msg) -> { });

    assertFalse(outcome.succeeded());
    assertTrue(outcome.message().startsWith("render_ini failed: WIKI_SITE_NAME"), outcome.message());
    assertNothingLeftAndNeighboursUntouched(ledger);
  }

  @Test
  void oauthFailureAfterKeysWereWrittenUndoesKeysIniAndCopy() throws Exception {
    // the keys are on disk when chown fails: the last step of the phase
    farmWithNeighbours(json -> json.put("oauth", new JsonObject().put("group", "no-such-group-xq")));
    InMemoryLedger ledger = new InMemoryLedger();
    PhaseContext ctx = farm.context(SLUG, "Alpha", ledger);

    Orchestrator.Outcome outcome = orchestrator().run(ctx, (phase, pct, msg) -> { });

    assertFalse(outcome.succeeded());
    assertTrue(outcome.message().contains("no-such-group-xq"), outcome.message());
    assertNothingLeftAndNeighboursUntouched(ledger);
  }

  private void assertNothingLeftAndNeighboursUntouched(InMemoryLedger ledger) throws Exception {
    assertFalse(Files.exists(farm.wikis().resolve(SLUG)), "wiki directory left behind");
    assertFalse(Files.exists(farm.oauth().resolve(SLUG)), "OAuth key directory left behind");
    assertEquals(List.of(".alpha.old", "alpha-1", "alphabet"), DirCopyPhaseTest.names(farm.wikis()),
        "partial copies or temp files left in the wiki root");
    assertEquals(List.of(".alpha.old", "alpha-1", "alphabet"), DirCopyPhaseTest.names(farm.oauth()));
    Map<String, String> now = TreeSnapshot.of(farm.root);
    assertEquals(neighboursBefore, now, "something outside the task changed");
    assertEquals(List.of(), ledger.entries());
  }
}
