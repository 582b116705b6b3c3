package org.wikifarm.provisioner.provision.phases;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.logging.Logger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Phase 1: copies the template directory to {@code WIKIFARM_DIR/<slug>} with {@code cp -a --reflink=auto}
 * (copy-on-write clones where the filesystem can, an ordinary copy otherwise; symlinks copied as symlinks,
 * modes, ownership and timestamps kept). Requires GNU coreutils {@code cp} on the host.
 *
 * <p>The copy goes to a hidden sibling ({@code .<slug>.<task id>.partial}) that carries the task's
 * {@link OwnershipMarker} from its first file and is renamed onto the target in one atomic step, so other
 * processes never see a half-copied wiki and every wiki directory names its creator. The target is recorded in
 * the ledger before anything is created; a target neither the ledger nor its marker attributes to this task
 * is a conflict and is never touched. On resume the previous attempt's target and partial copy are removed
 * and the copy starts over.
 */
public final class DirCopyPhase implements Phase {
  public static final String NAME = "dir_copy";
  static final String KIND = "directory";
  private static final Logger LOG = Logger.getLogger(DirCopyPhase.class.getName());

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    Path template = ctx.request().templateDir();
    checkTemplate(template, ctx);
    Path target = ctx.wikiDir().toAbsolutePath();
    Path parent = target.getParent();
    if (!Files.isDirectory(parent)) {
      LOG.warning("wiki directory root " + parent + " does not exist");
      throw new ProvisionException("The farm's wiki directory (WIKIFARM_DIR) does not exist; "
          + "create it or fix the configuration.");
    }
    LedgerEntry entry = new LedgerEntry(NAME, KIND, target.toString());
    String taskId = ctx.request().taskId();
    boolean ours = ctx.ledger().has(KIND, entry.ref()) || OwnershipMarker.isOwnedBy(target, taskId);
    if (!ours && Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      throw ProvisionException.conflict("directory " + ctx.request().slug());
    }
    ctx.ledger().record(entry);
    Path partial = OwnershipMarker.partialOf(target, taskId);
    FileTrees.deleteTree(partial);
    FileTrees.deleteTree(target); // only reached when the ledger or its marker says it is this task's (resume)
    Files.createDirectory(partial);
    OwnershipMarker.write(partial, taskId); // first, so the partial copy is provably ours from its first file
    copy(template, partial);
    OwnershipMarker.write(partial, taskId); // again: a template may carry a marker file of its own
    Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) throws IOException {
    Path target = Path.of(entry.ref());
    FileTrees.deleteTree(OwnershipMarker.partialOf(target, ctx.request().taskId()));
    if (!OwnershipMarker.isOwnedBy(target, ctx.request().taskId())) {
      // recorded before it was created, but what has the name now does not carry this task's marker (never
      // created, or someone else's): never ours to delete
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
        LOG.warning("undo: directory " + target + " does not carry task " + ctx.request().taskId()
            + "'s marker; left untouched");
      }
      return;
    }
    FileTrees.deleteTree(target);
  }

  @Override
  public List<LedgerEntry> discover(PhaseContext ctx) {
    Path target = ctx.wikiDir().toAbsolutePath();
    return OwnershipMarker.leftBy(target, ctx.request().taskId())
        ? List.of(new LedgerEntry(NAME, KIND, target.toString())) : List.of();
  }

  private static void checkTemplate(Path template, PhaseContext ctx) throws ProvisionException {
    if (template == null || !Files.isDirectory(template) || !Files.isRegularFile(template.resolve("pubwiki.ini"))) {
      LOG.warning("task " + ctx.request().taskId() + ": template " + template
          + " is not a directory containing pubwiki.ini");
      throw new ProvisionException("The wiki template directory is missing or has no pubwiki.ini; "
          + "check WIKIFARM_TEMPLATE (or the named template) on the provisioner host.");
    }
  }


  private static void copy(Path template, Path destination) throws Exception {
    // "SRC/." copies the template's contents into a new DST even if SRC itself is a symlink to a directory
    Process p = new ProcessBuilder(List.of("cp", "-a", "--reflink=auto", "--",
        template.toAbsolutePath() + "/.", destination.toString()))
        .redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (p.waitFor() != 0) {
      String detail = new String(out, StandardCharsets.UTF_8).strip();
      LOG.warning("cp of template failed (exit " + p.exitValue() + "): " + detail);
      throw new ProvisionException("Copying the template failed (cp exit " + p.exitValue() + ": "
          + lastLine(detail) + "); check free space and permissions under WIKIFARM_DIR.");
    }
  }

  private static String lastLine(String text) {
    int nl = text.lastIndexOf('\n');
    return nl < 0 ? text : text.substring(nl + 1);
  }
}
