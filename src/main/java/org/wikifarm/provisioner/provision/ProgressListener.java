package org.wikifarm.provisioner.provision;

import java.time.Duration;

/**
 * Receives the orchestrator's progress. The worker publishes it to the event bus, persists it to MariaDB and
 * logs phase timings. Called on the worker thread, so implementations must not block for long.
 */
public interface ProgressListener {

  /** A phase reached {@code progress} percent; {@code message} is user-facing, already redacted. */
  void progress(String phase, int progress, String message);

  /** {@code phase} is about to run (its start was reported through {@link #progress}). */
  default void phaseStarted(String phase) {}

  /** {@code phase} completed after {@code took} and is marked done in the ledger (a resume skips it now). */
  default void phaseFinished(String phase, Duration took) {}

  /** {@code phase} failed for good (after its retries) {@code took} after it started; rollback follows. */
  default void phaseFailed(String phase, Duration took) {}
}
