package org.wikifarm.provisioner.provision;

import java.util.List;

/**
 * One provisioning step. The {@link Orchestrator} owns ordering, progress and the ledger bookkeeping; a phase
 * only does its work. Contract:
 * <ul>
 *   <li>{@link #run} records every resource in {@code ctx.ledger()} <em>before</em> (or atomically with)
 *       creating it, so a crash at any instruction leaves something rollback can find;</li>
 *   <li>{@link #run} is idempotent: when resumed after a crash it finishes what the ledger says it started
 *       and never adopts a resource the ledger does not attribute to this task;</li>
 *   <li>{@link #undo} removes one resource this phase recorded, and succeeds if it is already gone.</li>
 * </ul>
 * Phases are blocking code; they run on a worker thread.
 */
public interface Phase {

  /** The wire name used in events, the ledger and messages, e.g. {@code dir_copy}. */
  String name();

  void run(PhaseContext ctx) throws Exception;

  void undo(LedgerEntry entry, PhaseContext ctx) throws Exception;

  /**
   * Starts work this phase can do before its turn, on {@code ctx.ahead()}: pure computation that creates and
   * records nothing (its result is taken by {@link #run}, which must still work when there is none). The
   * {@link Orchestrator} calls it once per run, for every phase still to run, before the first of them runs.
   * Default: nothing.
   */
  default void prepare(PhaseContext ctx) {}

  /**
   * The resources this phase can prove, from the resources themselves (a marker file, a database COMMENT),
   * were created by this task — what rollback must undo when the ledger is lost or stale. Default: none.
   */
  default List<LedgerEntry> discover(PhaseContext ctx) throws Exception {
    return List.of();
  }

  /**
   * For a phase of a task that removes things (a delete, which never rolls back): what this phase would still
   * remove, described for the operator (e.g. {@code database wiki_x}), when the task stops. Looked at anew each
   * time, so it is right after a crash too. Default: nothing.
   */
  default List<String> remaining(PhaseContext ctx) throws Exception {
    return List.of();
  }
}
