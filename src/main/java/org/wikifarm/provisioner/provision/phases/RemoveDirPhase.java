package org.wikifarm.provisioner.provision.phases;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Delete phases {@code remove_keys} and {@code remove_dir} (SPEC §6.2): remove the wiki's OAuth key directory
 * or its wiki directory — only one carrying the {@link OwnershipMarker} of the wiki's create task; anything else
 * with that name is left untouched and the task fails naming it.
 *
 * <p>Crash-safe: the directory is first renamed, in one atomic step, to a hidden name holding this delete
 * task's id, and only then deleted file by file. A crash half-way through the deletion therefore never leaves
 * a half-emptied directory under the wiki's name without its marker (which would make it unprovable); a
 * resumed run finds the hidden copy by its name and finishes it. A half-built copy a failed create left
 * ({@code .<slug>.<create task>.partial}) goes too.
 */
public final class RemoveDirPhase implements Phase {
  public static final String REMOVE_KEYS = "remove_keys";
  public static final String REMOVE_DIR = "remove_dir";
  private static final Logger LOG = Logger.getLogger(RemoveDirPhase.class.getName());

  private final String name;
  private final String what;
  private final Function<PhaseContext, Path> target;

  private RemoveDirPhase(String name, String what, Function<PhaseContext, Path> target) {
    this.name = name;
    this.what = what;
    this.target = target;
  }

  /** The wiki's OAuth key directory, {@code WIKIFARM_OAUTH_DIR/<slug>}. */
  public static RemoveDirPhase keys() {
    return new RemoveDirPhase(REMOVE_KEYS, "OAuth key directory", PhaseContext::oauthDir);
  }

  /** The wiki's directory, {@code WIKIFARM_DIR/<slug>}. */
  public static RemoveDirPhase wikiDir() {
    return new RemoveDirPhase(REMOVE_DIR, "wiki directory", PhaseContext::wikiDir);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    Path dir = target.apply(ctx).toAbsolutePath();
    Path trash = trashOf(dir, ctx);
    FileTrees.deleteTree(trash); // an earlier run of this task renamed it and crashed while deleting
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (!ownedByCreator(dir, ctx)) {
        LOG.warning("task " + ctx.request().taskId() + ": " + dir + " does not carry the marker of task "
            + ctx.request().creatorTaskId() + "; left untouched");
        throw new ProvisionException("the " + what + " of '" + ctx.request().slug() + "' does not carry this "
            + "wiki's ownership marker, so it was left untouched; if it is this wiki's, remove it by hand, then "
            + "delete the wiki again.");
      }
      Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
      FileTrees.deleteTree(trash);
      ctx.output("removed the " + what);
    }
    String creator = ctx.request().creatorTaskId();
    if (creator != null) {
      FileTrees.deleteTree(OwnershipMarker.partialOf(dir, creator)); // named after the create task: only it made it
    }
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // never called: a delete records nothing and never rolls back
  }

  @Override
  public List<String> remaining(PhaseContext ctx) {
    Path dir = target.apply(ctx).toAbsolutePath();
    List<String> left = new ArrayList<>();
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      left.add("the " + what + (ownedByCreator(dir, ctx) ? "" : " (without this wiki's ownership marker)"));
    }
    if (Files.exists(trashOf(dir, ctx), LinkOption.NOFOLLOW_LINKS)) {
      left.add("part of the " + what + " (being removed)");
    }
    return left;
  }

  private static boolean ownedByCreator(Path dir, PhaseContext ctx) {
    String creator = ctx.request().creatorTaskId();
    return creator != null && OwnershipMarker.isOwnedBy(dir, creator);
  }

  /** Where this delete task moves the directory before deleting it: hidden, named after the delete task. */
  static Path trashOf(Path dir, PhaseContext ctx) {
    return dir.resolveSibling("." + dir.getFileName() + "." + ctx.request().taskId() + ".deleting");
  }
}
