package org.wikifarm.provisioner.provision;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A ledger held in memory: for tests, the CLI and a single process that does not need crash recovery. */
public final class InMemoryLedger implements RollbackLedger {
  private final List<LedgerEntry> entries = new ArrayList<>();
  private final Set<String> done = new LinkedHashSet<>();

  @Override
  public synchronized void record(LedgerEntry entry) {
    if (!entries.contains(entry)) {
      entries.add(entry);
    }
  }

  @Override
  public synchronized List<LedgerEntry> entries() {
    return List.copyOf(entries);
  }

  @Override
  public synchronized void markDone(String phase) {
    done.add(phase);
  }

  @Override
  public synchronized Set<String> donePhases() {
    return Set.copyOf(done);
  }

  @Override
  public synchronized void clear() {
    entries.clear();
    done.clear();
  }
}
