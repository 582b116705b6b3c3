package org.wikifarm.provisioner.worker;

/**
 * Named points of a task's run, reported as the run passes them: {@code (phase, "before")} when a phase is
 * about to run, {@code (phase, "mid", ledgerKind)} right after a phase recorded a ledger entry (before it
 * creates that resource), {@code (phase, "after")} once the phase is marked done, and {@code ("finish",
 * "before")} when every phase is done but the outcome is not persisted yet. The service runs with
 * {@link #NONE}; the crash tests install an implementation that stops a node exactly there, so they can kill
 * it at every point where a crash leaves a different state behind.
 */
@FunctionalInterface
public interface Checkpoints {
  Checkpoints NONE = (slug, phase, point, ledgerKind) -> { };

  /** Called on the task's thread; may block (that is how a test holds a node at a point). */
  void reached(String slug, String phase, String point, String ledgerKind);
}
