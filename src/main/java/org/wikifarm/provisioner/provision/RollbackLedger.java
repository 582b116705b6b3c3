package org.wikifarm.provisioner.provision;

import java.util.List;
import java.util.Set;

/**
 * What a task has created, in creation order, and which phases completed. Writes are durable when the call
 * returns (the Redis implementation waits for the reply), which is what lets a phase record a resource before
 * it creates it.
 */
public interface RollbackLedger {

  void record(LedgerEntry entry);

  List<LedgerEntry> entries();

  void markDone(String phase);

  Set<String> donePhases();

  /** Forgets everything, after a finished rollback or a successful task. */
  void clear();

  default boolean has(String kind, String ref) {
    return entries().stream().anyMatch(e -> e.kind().equals(kind) && e.ref().equals(ref));
  }
}
