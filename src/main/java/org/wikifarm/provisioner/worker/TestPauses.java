package org.wikifarm.provisioner.worker;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.ProgressListener;
import org.wikifarm.provisioner.provision.RollbackLedger;

/**
 * <b>TEST-ONLY</b> crash points. Enabled only when the JVM runs with {@code -Dwikifarm.test.pause-dir=<dir>};
 * otherwise {@link #forTask} returns a no-op whose wrappers hand back their argument unchanged, so production
 * pays nothing. Crash tests start a node with the property, wait for a {@code reached-…} marker and SIGKILL the
 * process there.
 *
 * <p>At each point a task checks for {@code <dir>/pause-<phase>-<point>} (every task) or
 * {@code <dir>/<slug>/pause-<phase>-<point>} (one task). If present it writes {@code reached-<phase>-<point>}
 * next to it and sleeps while the pause file exists (delete it to let the task continue). Points:
 * <ul>
 *   <li>{@code before}: the phase is about to run (its start event is out, earlier phases are marked done);</li>
 *   <li>{@code mid}: right after the phase recorded a ledger entry (durably), i.e. before it creates that
 *       resource. If the pause file has content, it names the ledger kind to stop at (e.g. {@code db_user}:
 *       after CREATE DATABASE, before CREATE USER);</li>
 *   <li>{@code after}: the phase is marked done in the ledger;</li>
 *   <li>phase {@code finish}, point {@code before}: every phase is done, the outcome is not persisted yet.</li>
 * </ul>
 * Wired in one place: {@link TaskRunner}.
 */
final class TestPauses {
  static final String PROPERTY = "wikifarm.test.pause-dir";
  private static final Logger LOG = Logger.getLogger(TestPauses.class.getName());
  private static final TestPauses NONE = new TestPauses(null);

  private final List<Path> dirs;

  private TestPauses(List<Path> dirs) {
    this.dirs = dirs;
  }

  static TestPauses forTask(String slug) {
    String dir = System.getProperty(PROPERTY);
    if (dir == null || dir.isBlank()) {
      return NONE;
    }
    Path root = Path.of(dir);
    return new TestPauses(slug == null ? List.of(root) : List.of(root, root.resolve(slug)));
  }

  /** Pauses here if a pause file says so. */
  void at(String phase, String point) {
    at(phase, point, null);
  }

  private void at(String phase, String point, String ledgerKind) {
    if (dirs == null) {
      return;
    }
    for (Path dir : dirs) {
      Path pause = dir.resolve("pause-" + phase + "-" + point);
      try {
        if (!Files.isRegularFile(pause)) {
          continue;
        }
        String only = Files.readString(pause).strip();
        if (!only.isEmpty() && !only.equals(ledgerKind)) {
          continue;
        }
        Files.writeString(dir.resolve("reached-" + phase + "-" + point), Long.toString(ProcessHandle.current().pid()));
        LOG.warning("TEST PAUSE at " + phase + "-" + point + " (" + pause + ")");
        while (Files.exists(pause)) {
          Thread.sleep(100);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        LOG.warning("test pause " + pause + " unusable: " + e);
      }
    }
  }

  ProgressListener wrap(ProgressListener listener) {
    if (dirs == null) {
      return listener;
    }
    return new ProgressListener() {
      @Override
      public void progress(String phase, int progress, String message) {
        listener.progress(phase, progress, message);
      }

      @Override
      public void beforePhase(String phase) {
        listener.beforePhase(phase);
        at(phase, "before");
      }

      @Override
      public void afterPhase(String phase) {
        listener.afterPhase(phase);
        at(phase, "after");
      }
    };
  }

  RollbackLedger wrap(RollbackLedger ledger) {
    if (dirs == null) {
      return ledger;
    }
    return new RollbackLedger() {
      @Override
      public void record(LedgerEntry entry) {
        ledger.record(entry);
        at(entry.phase(), "mid", entry.kind());
      }

      @Override
      public List<LedgerEntry> entries() {
        return ledger.entries();
      }

      @Override
      public void markDone(String phase) {
        ledger.markDone(phase);
      }

      @Override
      public Set<String> donePhases() {
        return ledger.donePhases();
      }

      @Override
      public void clear() {
        ledger.clear();
      }
    };
  }
}
