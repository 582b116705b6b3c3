package org.wikifarm.provisioner.provision.phases;

import static org.wikifarm.provisioner.provision.phases.DbProvisionPhase.MAX_NAME_LENGTH;
import static org.wikifarm.provisioner.provision.phases.DbProvisionPhase.MAX_USER_LENGTH;
import static org.wikifarm.provisioner.provision.phases.DbProvisionPhase.allowListed;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Delete phase {@code drop_db} (SPEC §6.2): drops the wiki's DB user (and with it every grant it holds: on its
 * database and on the shared tables) and its database — only when the database's COMMENT is the ownership
 * marker of the wiki's create task. The user has no proof of its own: it is the wiki's because db_provision
 * only ever creates it together with that database. Hence the order: the user goes first, while the database
 * still proves it is ours, then the database; a crash between the two resumes with the proof intact.
 *
 * <p>A database without the marker is someone else's: it and a user of the same name are left untouched and
 * the task fails naming them. So is a user whose database is gone (nothing proves it is the wiki's).
 * Statements take the same per-database named lock as db_provision.
 */
public final class DropDbPhase implements Phase {
  public static final String NAME = "drop_db";
  private static final Logger LOG = Logger.getLogger(DropDbPhase.class.getName());
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;

  public DropDbPhase(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    String db = allowListed(ctx.dbName(), MAX_NAME_LENGTH, "database name");
    String user = allowListed(ctx.dbUser(), MAX_USER_LENGTH, "database user name");
    try (DbAdminSession admin = DbAdminSession.open(vertx, ctx.config().wikiDb(), TIMEOUT)) {
      admin.lock(db);
      boolean exists = admin.databaseExists(db);
      boolean ours = exists && isOurs(admin, db, ctx);
      if (exists && !ours) {
        LOG.warning("task " + ctx.request().taskId() + ": database " + db + " does not carry the marker of task "
            + ctx.request().creatorTaskId() + "; left untouched");
        throw new ProvisionException("the database " + db + " does not carry this wiki's ownership marker (its "
            + "COMMENT), so it and the DB user " + user + " were left untouched; if they are this wiki's, drop "
            + "them by hand, then delete the wiki again.");
      }
      if (admin.userExists(user)) {
        if (!ours) {
          throw new ProvisionException("the DB user " + user + " exists without this wiki's database, so nothing "
              + "proves it is this wiki's; it was left untouched. If it is, drop it by hand, then delete the "
              + "wiki again.");
        }
        admin.dropUser(user); // first: the database still proves the user is ours if we crash now
        ctx.output("dropped the DB user " + user + " and its grants");
      }
      if (ours) {
        admin.dropDatabase(db);
        ctx.output("dropped the database " + db);
      }
    }
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) {
    // never called: a delete records nothing and never rolls back
  }

  @Override
  public List<String> remaining(PhaseContext ctx) throws Exception {
    String db = allowListed(ctx.dbName(), MAX_NAME_LENGTH, "database name");
    String user = allowListed(ctx.dbUser(), MAX_USER_LENGTH, "database user name");
    List<String> left = new ArrayList<>();
    try (DbAdminSession admin = DbAdminSession.open(vertx, ctx.config().wikiDb(), TIMEOUT)) {
      boolean ours = admin.databaseExists(db) && isOurs(admin, db, ctx);
      if (admin.databaseExists(db)) {
        left.add("the database " + db + (ours ? "" : " (without this wiki's ownership marker)"));
      }
      if (admin.userExists(user)) {
        left.add("the DB user " + user + (ours ? "" : " (not provably this wiki's)"));
      }
    }
    return left;
  }

  /** The database's COMMENT is the marker of the wiki's create task (unknown creator: nothing is ours). */
  private static boolean isOurs(DbAdminSession admin, String db, PhaseContext ctx) throws ProvisionException {
    String creator = ctx.request().creatorTaskId();
    return creator != null && OwnershipMarker.of(creator).equals(admin.databaseComment(db));
  }
}
