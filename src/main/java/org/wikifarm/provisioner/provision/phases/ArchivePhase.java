package org.wikifarm.provisioner.provision.phases;

import static org.wikifarm.provisioner.provision.phases.DbProvisionPhase.MAX_NAME_LENGTH;
import static org.wikifarm.provisioner.provision.phases.DbProvisionPhase.allowListed;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.provision.WikiRequest;

/**
 * Delete phase {@code archive} (SPEC §6.2), first, before anything is dropped: when {@code farm.archive-dir} is
 * set, the wiki's database (mysqldump), wiki directory and key directory — those carrying the ownership proof
 * of the wiki's create task, i.e. exactly what the next phases remove — go to
 * {@code <archive-dir>/<slug>-<UTC time>/} with a manifest of sizes and SHA-256 sums, and everything is read
 * back and verified ({@link ArchiveFiles#verify}) before the phase completes. Without an archive dir it is
 * skipped.
 *
 * <p>The archive is built under a hidden name and renamed into place once verified, so its final name always
 * holds a complete archive. The name was fixed when the delete was requested (the task's spec), so a run
 * resumed after a crash, on any node, finds it: a finished one is verified again, a partial one rebuilt.
 * The directory is 0700: it holds the wiki's data, its DB password (pubwiki.ini) and its private key.
 */
public final class ArchivePhase implements Phase {
  public static final String NAME = "archive";
  private static final Pattern ARCHIVE_NAME = Pattern.compile("^[a-z0-9][A-Za-z0-9-]{0,100}$");
  private static final Duration DB_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;

  public ArchivePhase(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    Path root = ctx.config().farm().archiveDir();
    if (root == null) {
      ctx.output("skipped: farm.archive-dir is not set, so no archive is kept");
      return;
    }
    if (!Files.isDirectory(root)) {
      throw new ProvisionException("the archive directory (farm.archive-dir) does not exist; create it or fix "
          + "the configuration, then delete the wiki again. Nothing was removed.");
    }
    WikiRequest request = ctx.request();
    String name = request.archiveName();
    if (name == null || !ARCHIVE_NAME.matcher(name).matches()) {
      throw new ProvisionException("the delete task has no valid archive name; delete the wiki again.");
    }
    Path dir = root.resolve(name);
    if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      ArchiveFiles.verify(dir, request.taskId()); // an earlier run of this task finished it
      ctx.output("the archive " + name + " is complete and verified");
      return;
    }
    Path partial = root.resolve("." + name + ".partial");
    FileTrees.deleteTree(partial); // an earlier run of this task crashed while building it
    Files.createDirectory(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    JsonArray files = new JsonArray();
    String database = null;
    if (databaseIsOurs(ctx)) {
      database = ctx.dbName();
      ctx.output("archiving the database " + database);
      ArchiveFiles.dump(ctx.config().wikiDb(), database, partial, ctx.config().executor().commandTimeout());
      files.add(ArchiveFiles.entry(partial.resolve(ArchiveFiles.DUMP)));
    }
    archiveDir(ctx, ctx.wikiDir(), partial.resolve(ArchiveFiles.WIKI_TAR), "wiki directory", files);
    archiveDir(ctx, ctx.oauthDir(), partial.resolve(ArchiveFiles.KEYS_TAR), "OAuth key directory", files);
    ArchiveFiles.writeManifest(partial, new JsonObject().put("format", 1).put("slug", request.slug())
        .put("wiki_id", request.wikiId()).put("name", request.name()).put("language", request.language())
        .put("delete_task", request.taskId()).put("create_task", request.creatorTaskId())
        .put("archived_at", Instant.now().toString()).put("database", database).put("files", files));
    ctx.output("verifying the archive");
    ArchiveFiles.verify(partial, request.taskId());
    Files.move(partial, dir, StandardCopyOption.ATOMIC_MOVE);
    ArchiveFiles.force(root);
    ctx.output("archived to " + name + " and verified");
  }

  /** Packs {@code source} when it carries the create task's marker (only that is removed later). */
  private static void archiveDir(PhaseContext ctx, Path source, Path tar, String what, JsonArray files)
      throws Exception {
    String creator = ctx.request().creatorTaskId();
    if (creator != null && OwnershipMarker.isOwnedBy(source, creator)) {
      ctx.output("archiving the " + what);
      ArchiveFiles.tar(source.toAbsolutePath(), tar);
      files.add(ArchiveFiles.entry(tar));
    }
  }

  private boolean databaseIsOurs(PhaseContext ctx) throws Exception {
    String creator = ctx.request().creatorTaskId();
    String db = allowListed(ctx.dbName(), MAX_NAME_LENGTH, "database name");
    try (DbAdminSession admin = DbAdminSession.open(vertx, ctx.config().wikiDb(), DB_TIMEOUT)) {
      return creator != null && OwnershipMarker.of(creator).equals(admin.databaseComment(db));
    }
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // never called: a delete records nothing; an archive is kept whatever happens next
  }
}
