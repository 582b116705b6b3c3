package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.support.IniFile;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.Phase;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Phase 3, {@code db_provision}: creates the wiki's database and DB user with the farm's admin account and
 * grants the user everything on its own database plus SELECT/INSERT/UPDATE on the shared tables.
 *
 * <p><b>Ownership.</b> The ledger alone cannot prove ownership: between "record" and "create" another actor may
 * create the same name (our CREATE then fails), or the process may crash. So:
 * <ul>
 *   <li>the database is created with a {@code COMMENT} naming this task ({@link #marker}), set atomically by
 *       CREATE DATABASE. Resume adopts, and undo drops, a database only when that comment matches; a crash
 *       between record and create, or a lost race, therefore never leads to dropping someone else's data;</li>
 *   <li>users cannot carry a comment in MariaDB, so when CREATE USER finds the user already there the phase
 *       records a {@value #KIND_FOREIGN_USER} tombstone; undo of {@code db_user} skips a user so marked. The
 *       existence check before recording keeps that path to genuine races;</li>
 *   <li>provisioner tasks serialise on a named lock ({@code GET_LOCK}) per database name, so two nodes never
 *       interleave check-record-create for one name.</li>
 *   <li>the admin connection is kept for the next task ({@link DbAdminSessions}); the lock is released and the
 *       session reset before it is reused.</li>
 * </ul>
 *
 * <p><b>Secrets.</b> SQL text carrying the password is never logged nor put in an exception (not even as the
 * cause: a syntax error echoes the statement); {@link DbAdminSession} and {@link DbErrors} see to that.
 *
 * <p>Blocking code for a worker thread: every call to the server waits at most {@link #TIMEOUT}.
 */
public final class DbProvisionPhase implements Phase {
  public static final String NAME = "db_provision";
  public static final String KIND_DATABASE = "database";
  public static final String KIND_USER = "db_user";
  /** Tombstone: the {@code db_user} entry with the same ref names a user this task did NOT create. */
  public static final String KIND_FOREIGN_USER = "db_user_not_created";

  private static final Logger LOG = Logger.getLogger(DbProvisionPhase.class.getName());
  // Names are spliced into SQL text, so only these characters pass; the lengths are MariaDB's limits.
  private static final Pattern NAME_CHARACTERS = Pattern.compile("[A-Za-z0-9_]+");
  static final int MAX_NAME_LENGTH = 64;
  static final int MAX_USER_LENGTH = 80;
  private static final Pattern TASK_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final Function<PhaseContext, String> passwordSource;
  /** The admin sessions of every task this phase runs: one login serves many tasks. */
  private final DbAdminSessions sessions;

  /**
   * @param passwordSource yields the wiki's DB password (the {@code WIKI_DB_PASSWORD} render_ini generated);
   *     returns null when it is unavailable, which fails the phase with an actionable message
   */
  public DbProvisionPhase(Vertx vertx, Function<PhaseContext, String> passwordSource) {
    this.passwordSource = passwordSource;
    this.sessions = new DbAdminSessions(vertx);
  }

  /** The production wiring: the password is the {@code WIKI_DB_PASSWORD} that render_ini wrote. */
  public static DbProvisionPhase readingPasswordFromIni(Vertx vertx) {
    return new DbProvisionPhase(vertx, DbProvisionPhase::passwordFromIni);
  }

  /**
   * Logs in with the admin account and out again: what {@code /ready} and the claim gate check, so a wrong
   * {@code WIKI_DB_ADMIN_PASSWORD} stops the node from taking tasks instead of failing them one by one.
   * Blocking; fails with the same actionable message a task would show.
   */
  public static void checkAdminLogin(Vertx vertx, AppConfig.WikiDb cfg) throws ProvisionException {
    try (DbAdminSession ignored = DbAdminSession.open(vertx, cfg, TIMEOUT)) {
      // logging in is the check
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    AppConfig.WikiDb cfg = ctx.config().wikiDb();
    // Everything is validated before the first byte goes to the server.
    String db = allowListed(ctx.dbName(), MAX_NAME_LENGTH, "database name");
    String user = allowListed(ctx.dbUser(), MAX_USER_LENGTH, "database user name");
    String sharedDb = allowListed(cfg.sharedDbName(), MAX_NAME_LENGTH,
        "shared database name (WIKI_SHARED_DB_NAME)");
    for (String table : cfg.sharedTables()) {
      allowListed(table, MAX_NAME_LENGTH, "shared table name (wiki-db.shared-tables)");
    }
    String marker = marker(ctx);
    String password = password(ctx);
    ctx.addSecret(password);

    try (DbAdminSession admin = sessions.open(cfg, TIMEOUT)) {
      admin.lock(db);
      // under the lock no other task creates either name; an actor outside the farm that does meets our
      // CREATE's error, handled below
      DbAdminSession.Existing existing = admin.lookUp(db, user);
      String comment = existing.comment(); // null: no such database
      if (!marker.equals(comment) && existing.userExists()) {
        // the user is only ever created together with this task's database: a user that exists before the
        // database does is someone else's, and must not be adopted later from an unproven ledger
        throw ProvisionException.conflict("database user " + user);
      }
      ensureDatabase(admin, ctx, db, marker, comment);
      ensureUser(admin, ctx, user, password, existing.userExists());
      admin.grantAllOn(db, user);
      grantSharedTables(admin, user, sharedDb, cfg.sharedTables());
      // no FLUSH PRIVILEGES: CREATE USER and GRANT update the in-memory grant tables themselves, so the user
      // can log in at once; a flush only rereads the tables, and takes longer the more accounts there are
    }
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) throws Exception {
    switch (entry.kind()) {
      case KIND_DATABASE -> {
        String db = allowListed(entry.ref(), MAX_NAME_LENGTH, "database name");
        String marker = marker(ctx);
        try (DbAdminSession admin = sessions.open(ctx.config().wikiDb(), TIMEOUT)) {
          if (!admin.databaseExists(db)) {
            return; // never created (crash before CREATE) or already dropped
          }
          if (!marker.equals(admin.databaseComment(db))) {
            // Our CREATE lost a race or never ran and someone else's database carries the name: not ours.
            LOG.warning("undo: database " + db + " was not created by task " + ctx.request().taskId()
                + "; left untouched");
            return;
          }
          admin.dropDatabase(db);
        }
      }
      case KIND_USER -> {
        String user = allowListed(entry.ref(), MAX_USER_LENGTH, "database user name");
        if (ctx.ledger().has(KIND_FOREIGN_USER, user)) {
          return; // the user pre-existed; this task never created it
        }
        try (DbAdminSession admin = sessions.open(ctx.config().wikiDb(), TIMEOUT)) {
          admin.dropUser(user); // and with it every grant the user holds
        }
      }
      default -> {
        // tombstones and unknown kinds own nothing
      }
    }
  }

  /**
   * This task's database (by its COMMENT) and, since the user is only ever created together with it, its
   * user: what rollback undoes when the ledger no longer lists them.
   */
  @Override
  public List<LedgerEntry> discover(PhaseContext ctx) throws Exception {
    String db = allowListed(ctx.dbName(), MAX_NAME_LENGTH, "database name");
    String user = allowListed(ctx.dbUser(), MAX_USER_LENGTH, "database user name");
    if (ctx.ledger().has(KIND_FOREIGN_USER, user)) {
      return List.of(); // a race made the user someone else's; the ledger handles the database
    }
    try (DbAdminSession admin = sessions.open(ctx.config().wikiDb(), TIMEOUT)) {
      if (!ownDatabase(admin, ctx, db, marker(ctx))) {
        return List.of();
      }
      List<LedgerEntry> found = new ArrayList<>();
      found.add(new LedgerEntry(NAME, KIND_DATABASE, db));
      if (admin.userExists(user)) {
        found.add(new LedgerEntry(NAME, KIND_USER, user));
      }
      return found;
    }
  }

  // --- the steps of run()

  /** Whether the database exists and carries this task's marker (it was created by this task). */
  private static boolean ownDatabase(DbAdminSession admin, PhaseContext ctx, String db, String marker)
      throws ProvisionException {
    return marker.equals(admin.databaseComment(db)); // null when it does not exist
  }

  /** {@code comment}: the database's COMMENT as looked up under the lock, null when it does not exist. */
  private void ensureDatabase(DbAdminSession admin, PhaseContext ctx, String db, String marker, String comment)
      throws ProvisionException {
    boolean recorded = ctx.ledger().has(KIND_DATABASE, db);
    if (comment != null) {
      if (marker.equals(comment)) {
        if (!recorded) { // the ledger was lost (Redis restarted empty): the COMMENT still proves it ours
          ctx.ledger().record(new LedgerEntry(NAME, KIND_DATABASE, db));
        }
        return; // resume: created by an earlier attempt of this task
      }
      throw ProvisionException.conflict("database " + db);
    }
    if (!recorded) {
      ctx.ledger().record(new LedgerEntry(NAME, KIND_DATABASE, db));
    }
    try {
      admin.createDatabase(db, marker);
    } catch (ProvisionException e) {
      if (DbErrors.errorCode(e) == DbErrors.ER_DB_CREATE_EXISTS) {
        // Appeared since our check: not ours. The ledger entry stays but undo checks the comment marker.
        throw ProvisionException.conflict("database " + db);
      }
      throw e;
    }
    LOG.info("task " + ctx.request().taskId() + ": created database " + db);
  }

  /** {@code exists}: whether the user existed when looked up under the lock. */
  private void ensureUser(DbAdminSession admin, PhaseContext ctx, String user, String password, boolean exists)
      throws ProvisionException {
    if (ctx.ledger().has(KIND_FOREIGN_USER, user)) {
      throw ProvisionException.conflict("database user " + user);
    }
    boolean recorded = ctx.ledger().has(KIND_USER, user);
    if (exists) {
      if (!recorded) {
        // reached only with this task's database in place (checked in run): the user came with it, and the
        // ledger that said so was lost
        ctx.ledger().record(new LedgerEntry(NAME, KIND_USER, user));
      }
      // resume: the user is ours; make sure it has the password the ini holds
      admin.setPassword(user, password);
      return;
    }
    if (!recorded) {
      ctx.ledger().record(new LedgerEntry(NAME, KIND_USER, user));
    }
    try {
      admin.createUser(user, password);
    } catch (ProvisionException e) {
      if (DbErrors.errorCode(e) == DbErrors.ER_CANNOT_USER) {
        // Appeared since our check: neutralise our ledger entry so undo never drops it.
        ctx.ledger().record(new LedgerEntry(NAME, KIND_FOREIGN_USER, user));
        throw ProvisionException.conflict("database user " + user);
      }
      throw e;
    }
    LOG.info("task " + ctx.request().taskId() + ": created database user " + user);
  }

  private void grantSharedTables(DbAdminSession admin, String user, String sharedDb, List<String> tables)
      throws ProvisionException {
    // GRANT on a missing table fails with a terse error; name every missing table up front instead.
    java.util.Set<String> present = admin.tablesAmong(sharedDb, tables);
    List<String> missing = new ArrayList<>();
    for (String table : tables) {
      if (!present.contains(table)) {
        missing.add(sharedDb + "." + table);
      }
    }
    if (!missing.isEmpty()) {
      throw new ProvisionException("shared table(s) " + String.join(", ", missing) + " do not exist; check "
          + "WIKI_SHARED_DB_NAME and wiki-db.shared-tables, or create the shared tables first");
    }
    for (String table : tables) {
      try {
        admin.grantReadWriteOn(sharedDb, table, user);
      } catch (ProvisionException e) {
        if (DbErrors.errorCode(e) == DbErrors.ER_NO_SUCH_TABLE) {
          throw new ProvisionException("shared table " + sharedDb + "." + table + " does not exist; check "
              + "WIKI_SHARED_DB_NAME and wiki-db.shared-tables", false, e);
        }
        throw e;
      }
    }
  }

  // --- inputs

  static String allowListed(String name, int maxLength, String what) throws ProvisionException {
    if (name == null || name.length() > maxLength || !NAME_CHARACTERS.matcher(name).matches()) {
      // the offending value is not echoed: it may be long or hostile; the message says what is allowed
      throw new ProvisionException("invalid " + what + ": only letters, digits and '_' are allowed (max "
          + maxLength + " characters)");
    }
    return name;
  }

  /** Stored as the database's COMMENT: proves the database was created by this task. */
  private static String marker(PhaseContext ctx) throws ProvisionException {
    String taskId = ctx.request().taskId();
    if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
      throw new ProvisionException("invalid task id");
    }
    return OwnershipMarker.of(taskId);
  }

  private String password(PhaseContext ctx) throws ProvisionException {
    String password;
    try {
      password = passwordSource.apply(ctx);
    } catch (RuntimeException e) {
      throw new ProvisionException("could not read the wiki's database password (WIKI_DB_PASSWORD in "
          + "pubwiki.ini): " + e.getClass().getSimpleName(), false, null);
    }
    if (password == null || password.isEmpty()) {
      throw new ProvisionException("the wiki's database password (WIKI_DB_PASSWORD in pubwiki.ini) is missing "
          + "or empty; render_ini must run before db_provision");
    }
    if (password.indexOf('\0') >= 0) {
      throw new ProvisionException("the wiki's database password contains a NUL character, which MariaDB "
          + "cannot store; generate another one");
    }
    return password;
  }

  /** WIKI_DB_PASSWORD as render_ini wrote it, or null when the ini or the key is absent. */
  static String passwordFromIni(PhaseContext ctx) {
    try {
      return IniFile.read(ctx.iniFile()).get(RenderIniPhase.PASSWORD_KEY);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | IniFile.IniFormatException e) {
      throw new UncheckedIOException(new IOException("cannot read pubwiki.ini: " + e.getMessage()));
    }
  }
}
