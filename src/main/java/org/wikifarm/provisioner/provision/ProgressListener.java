package org.wikifarm.provisioner.provision;

/**
 * Receives the orchestrator's progress. Implementations publish to the event bus and persist to MariaDB; tests
 * collect. Called on the worker thread, so implementations must not block for long.
 */
public interface ProgressListener {

  /** A phase reached {@code progress} percent; {@code message} is user-facing, already redacted. */
  void progress(String phase, int progress, String message);

  /** {@code phase} is about to run (its start was reported through {@link #progress}). */
  default void beforePhase(String phase) {}

  /** {@code phase} completed and is marked done in the ledger (a resume skips it from now on). */
  default void afterPhase(String phase) {}
}
