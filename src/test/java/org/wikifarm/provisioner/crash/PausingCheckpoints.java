package org.wikifarm.provisioner.crash;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.logging.Logger;
import org.wikifarm.provisioner.worker.Checkpoints;

/**
 * The crash tests' pause protocol (the only copy of it): at each checkpoint a task checks for
 * {@code <dir>/pause-<phase>-<point>} (every task) or {@code <dir>/<slug>/pause-<phase>-<point>} (one task). If
 * present, it writes {@code reached-<phase>-<point>} (holding the node's pid) next to it and waits while the
 * pause file exists; the test SIGKILLs the node there or deletes the file to let it go on. A pause file with
 * content names the ledger kind a {@code mid} point stops at (e.g. {@code db_user}: after CREATE DATABASE,
 * before CREATE USER). Points are those of {@link Checkpoints}.
 */
final class PausingCheckpoints implements Checkpoints {
  static final String PROPERTY = "wikifarm.test.pause-dir";
  private static final Logger LOG = Logger.getLogger(PausingCheckpoints.class.getName());

  private final Path root;

  PausingCheckpoints(Path root) {
    this.root = root;
  }

  static Path pauseFile(Path root, String slug, String phase, String point) {
    return root.resolve(slug).resolve("pause-" + phase + "-" + point);
  }

  static Path reachedMarker(Path root, String slug, String phase, String point) {
    return root.resolve(slug).resolve("reached-" + phase + "-" + point);
  }

  @Override
  public void reached(String slug, String phase, String point, String ledgerKind) {
    for (Path dir : slug == null ? List.of(root) : List.of(root, root.resolve(slug))) {
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
}
