package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Phase 6: once the installer has run, sets {@code WIKI_BOOTSTRAPING = false} in {@code pubwiki.ini}. Only that
 * value's bytes change. Idempotent: a file already saying {@code false} is not rewritten. Records nothing in
 * the ledger because it creates nothing: the file belongs to {@link RenderIniPhase} and goes with it.
 */
public final class FlipBootstrapPhase implements Phase {
  public static final String NAME = "flip_bootstrap";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    Path iniPath = ctx.iniFile();
    if (!Files.isRegularFile(iniPath)) {
      throw new ProvisionException("pubwiki.ini is missing from the wiki directory; the wiki cannot leave "
          + "bootstrap mode. Retry with a new request.");
    }
    IniFile ini = IniFile.load(iniPath);
    if ("false".equals(ini.get(RenderIniPhase.BOOTSTRAP_KEY).orElse(null))) {
      return;
    }
    ini.setFlag(RenderIniPhase.BOOTSTRAP_KEY, false);
    ini.writeAtomically(iniPath);
  }

  /** Never called with an entry of this phase (it records none); present to satisfy the contract. */
  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // nothing was created
  }
}
