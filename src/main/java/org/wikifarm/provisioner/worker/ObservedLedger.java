package org.wikifarm.provisioner.worker;

import java.util.List;
import java.util.Set;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.RollbackLedger;

/** A ledger that reports the {@code mid} checkpoint after each entry it durably records. */
final class ObservedLedger implements RollbackLedger {
  private final RollbackLedger ledger;
  private final Checkpoints checkpoints;
  private final String slug;

  private ObservedLedger(RollbackLedger ledger, Checkpoints checkpoints, String slug) {
    this.ledger = ledger;
    this.checkpoints = checkpoints;
    this.slug = slug;
  }

  /** {@code ledger} itself when nobody observes the checkpoints. */
  static RollbackLedger wrap(RollbackLedger ledger, Checkpoints checkpoints, String slug) {
    return checkpoints == Checkpoints.NONE ? ledger : new ObservedLedger(ledger, checkpoints, slug);
  }

  @Override
  public void record(LedgerEntry entry) {
    ledger.record(entry);
    checkpoints.reached(slug, entry.phase(), "mid", entry.kind());
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
}
