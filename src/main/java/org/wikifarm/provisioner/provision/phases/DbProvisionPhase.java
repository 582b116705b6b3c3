package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.ClosedConnectionException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * </ul>
 *
 * <p><b>Secrets.</b> SQL text carrying the password is never logged nor put in an exception (not even as the
 * cause: a syntax error echoes the statement).
 *
 * <p>Blocking code for a worker thread: every Vert.x future is awaited with a timeout, never {@code await()}.
 */
public final class DbProvisionPhase implements Phase {
  public static final String NAME = "db_provision";
  public static final String KIND_DATABASE = "database";
  public static final String KIND_USER = "db_user";
  /** Tombstone: the {@code db_user} entry with the same ref names a user this task did NOT create. */
  public static final String KIND_FOREIGN_USER = "db_user_not_created";

  private static final Logger LOG = Logger.getLogger(DbProvisionPhase.class.getName());
  private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z0-9_]{1,64}$");
  private static final Pattern USER = Pattern.compile("^[A-Za-z0-9_]{1,80}$");
  private static final Pattern TASK_ID = Pattern.compile("^[A-Za-z0-9-]{1,64}$");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  private final Vertx vertx;
  private final Function<PhaseContext, String> passwordSource;
  private final Duration timeout;

  /**
   * @param passwordSource yields the wiki's DB password (the {@code WIKI_DB_PASSWORD} render_ini generated);
   *     returns null when it is unavailable, which fails the phase with an actionable message
   */
  public DbProvisionPhase(Vertx vertx, Function<PhaseContext, String> passwordSource) {
    this(vertx, passwordSource, DEFAULT_TIMEOUT);
  }

  public DbProvisionPhase(Vertx vertx, Function<PhaseContext, String> passwordSource, Duration timeout) {
    this.vertx = vertx;
    this.passwordSource = passwordSource;
    this.timeout = timeout;
  }

  /** The production wiring: the password is the {@code WIKI_DB_PASSWORD} that render_ini wrote. */
  public static DbProvisionPhase readingPasswordFromIni(Vertx vertx) {
    return new DbProvisionPhase(vertx, DbProvisionPhase::passwordFromIni);
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public void run(PhaseContext ctx) throws Exception {
    AppConfig.WikiDb cfg = ctx.config().wikiDb();
    // Everything is validated before the first byte goes to the server.
    String db = identifier(ctx.dbName(), IDENTIFIER, "database name");
    String user = identifier(ctx.dbUser(), USER, "database user name");
    String sharedDb = identifier(cfg.sharedDbName(), IDENTIFIER, "shared database name (WIKI_SHARED_DB_NAME)");
    for (String table : cfg.sharedTables()) {
      identifier(table, IDENTIFIER, "shared table name (wiki-db.shared-tables)");
    }
    String marker = marker(ctx);
    String password = password(ctx);
    ctx.addSecret(password);

    try (Admin admin = connect(cfg)) {
      admin.lock(db);
      ensureDatabase(admin, ctx, db, marker);
      ensureUser(admin, ctx, user, password);
      admin.exec("GRANT ALL PRIVILEGES ON " + quoteGrantDb(db) + ".* TO " + account(user), "grant on " + db);
      grantSharedTables(admin, user, sharedDb, cfg.sharedTables());
      admin.exec("FLUSH PRIVILEGES", "flush privileges");
    }
  }

  @Override
  public void undo(LedgerEntry entry, PhaseContext ctx) throws Exception {
    switch (entry.kind()) {
      case KIND_DATABASE -> {
        String db = identifier(entry.ref(), IDENTIFIER, "database name");
        String marker = marker(ctx);
        try (Admin admin = connect(ctx.config().wikiDb())) {
          SchemaState state = admin.schema(db);
          if (state == SchemaState.ABSENT) {
            return; // never created (crash before CREATE) or already dropped
          }
          if (!marker.equals(admin.schemaComment(db))) {
            // Our CREATE lost a race or never ran and someone else's database carries the name: not ours.
            LOG.warning("undo: database " + db + " was not created by task " + ctx.request().taskId()
                + "; left untouched");
            return;
          }
          admin.exec("DROP DATABASE IF EXISTS " + quote(db), "drop database " + db);
        }
      }
      case KIND_USER -> {
        String user = identifier(entry.ref(), USER, "database user name");
        if (ctx.ledger().has(KIND_FOREIGN_USER, user)) {
          return; // the user pre-existed; this task never created it
        }
        try (Admin admin = connect(ctx.config().wikiDb())) {
          // DROP USER also removes every grant the user holds.
          admin.exec("DROP USER IF EXISTS " + account(user), "drop user " + user);
        }
      }
      default -> {
        // tombstones and unknown kinds own nothing
      }
    }
  }

  // --- the steps of run()

  private void ensureDatabase(Admin admin, PhaseContext ctx, String db, String marker) throws ProvisionException {
    boolean recorded = ctx.ledger().has(KIND_DATABASE, db);
    if (admin.schema(db) == SchemaState.PRESENT) {
      if (recorded && marker.equals(admin.schemaComment(db))) {
        return; // resume: created by an earlier attempt of this task
      }
      throw ProvisionException.conflict("database " + db);
    }
    if (!recorded) {
      ctx.ledger().record(new LedgerEntry(NAME, KIND_DATABASE, db));
    }
    try {
      admin.exec("CREATE DATABASE " + quote(db) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT "
          + admin.literal(marker), "create database " + db);
    } catch (ProvisionException e) {
      if (DbErrors.errorCode(e) == DbErrors.ER_DB_CREATE_EXISTS) {
        // Appeared since our check: not ours. The ledger entry stays but undo checks the comment marker.
        throw ProvisionException.conflict("database " + db);
      }
      throw e;
    }
    LOG.info("task " + ctx.request().taskId() + ": created database " + db);
  }

  private void ensureUser(Admin admin, PhaseContext ctx, String user, String password) throws ProvisionException {
    if (ctx.ledger().has(KIND_FOREIGN_USER, user)) {
      throw ProvisionException.conflict("database user " + user);
    }
    boolean recorded = ctx.ledger().has(KIND_USER, user);
    String identified = account(user) + " IDENTIFIED BY " + admin.literal(password);
    if (admin.userExists(user)) {
      if (!recorded) {
        throw ProvisionException.conflict("database user " + user);
      }
      // resume: the user is ours; make sure it has the password the ini holds
      admin.execSecret("ALTER USER " + identified, "alter user " + user);
      return;
    }
    if (!recorded) {
      ctx.ledger().record(new LedgerEntry(NAME, KIND_USER, user));
    }
    try {
      admin.execSecret("CREATE USER " + identified, "create user " + user);
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

  private void grantSharedTables(Admin admin, String user, String sharedDb, List<String> tables)
      throws ProvisionException {
    // GRANT on a missing table fails with a terse error; name every missing table up front instead.
    List<String> missing = new ArrayList<>();
    for (String table : tables) {
      if (!admin.tableExists(sharedDb, table)) {
        missing.add(sharedDb + "." + table);
      }
    }
    if (!missing.isEmpty()) {
      throw new ProvisionException("shared table(s) " + String.join(", ", missing) + " do not exist; check "
          + "WIKI_SHARED_DB_NAME and wiki-db.shared-tables, or create the shared tables first");
    }
    for (String table : tables) {
      try {
        admin.exec("GRANT SELECT, UPDATE, INSERT ON " + quote(sharedDb) + "." + quote(table) + " TO "
            + account(user), "grant on " + sharedDb + "." + table);
      } catch (ProvisionException e) {
        if (DbErrors.errorCode(e) == DbErrors.ER_NO_SUCH_TABLE) {
          throw new ProvisionException("shared table " + sharedDb + "." + table + " does not exist; check "
              + "WIKI_SHARED_DB_NAME and wiki-db.shared-tables", false, e);
        }
        throw e;
      }
    }
  }

  // --- names, quoting, inputs

  static String identifier(String name, Pattern pattern, String what) throws ProvisionException {
    if (name == null || !pattern.matcher(name).matches()) {
      // the offending value is not echoed: it may be long or hostile; the pattern says what is allowed
      throw new ProvisionException("invalid " + what + ": only letters, digits and '_' are allowed (max "
          + (pattern == USER ? 80 : 64) + " characters)");
    }
    return name;
  }

  private static String quote(String identifier) {
    return "`" + identifier + "`"; // allow-listed: cannot contain a backtick
  }

  /**
   * A database name in a database-level GRANT: '_' and '%' are wildcards there, so {@code wiki_a_b} would
   * also match {@code wikiXaYb}, another wiki's database. Escape them.
   */
  static String quoteGrantDb(String db) {
    return quote(db.replace("_", "\\_"));
  }

  private static String account(String user) {
    return "'" + user + "'@'%'"; // allow-listed: no quotes inside
  }

  /** Stored as the database's COMMENT: proves the database was created by this task. */
  private static String marker(PhaseContext ctx) throws ProvisionException {
    String taskId = ctx.request().taskId();
    if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
      throw new ProvisionException("invalid task id");
    }
    return "wikifarm task " + taskId;
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
      throw new java.io.UncheckedIOException(new IOException("cannot read pubwiki.ini: " + e.getMessage()));
    }
  }

  // --- the admin connection

  private enum SchemaState { PRESENT, ABSENT }

  private Admin connect(AppConfig.WikiDb cfg) throws ProvisionException {
    DbAddress address = DbAddress.parse(cfg.adminAddress());
    MySQLConnectOptions options = new MySQLConnectOptions()
        .setHost(address.host()).setPort(address.port())
        .setUser(cfg.adminUser()).setPassword(cfg.adminPassword().reveal())
        .setCharset("utf8mb4");
    Future<MySQLConnection> pending = MySQLConnection.connect(vertx, options);
    try {
      MySQLConnection conn = pending.toCompletionStage().toCompletableFuture()
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      Admin admin = new Admin(conn, cfg.adminAddress());
      admin.detectEscaping();
      return admin;
    } catch (TimeoutException e) {
      pending.onSuccess(MySQLConnection::close); // do not leak it if it completes later
      throw new ProvisionException("timed out connecting to the wiki database server at " + cfg.adminAddress(),
          true, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisionException("interrupted while connecting to the wiki database server", true, null);
    } catch (ExecutionException e) {
      throw DbErrors.loginFailed(e.getCause(), cfg.adminAddress(), cfg.adminUser());
    }
  }

  /** One admin session. Closing it also releases the named lock. */
  private final class Admin implements AutoCloseable {
    private final MySQLConnection conn;
    private final String address;
    private boolean backslashEscapes = true;

    Admin(MySQLConnection conn, String address) {
      this.conn = conn;
      this.address = address;
    }

    /** String literals must be escaped the way the session's sql_mode reads them. */
    void detectEscaping() throws ProvisionException {
      String mode = one(conn.query("SELECT @@SESSION.sql_mode").execute(), "read sql_mode").getString(0);
      backslashEscapes = mode == null || !mode.toUpperCase().contains("NO_BACKSLASH_ESCAPES");
    }

    String literal(String value) {
      String escaped = value.replace("'", "''"); // doubling works in every sql_mode
      if (backslashEscapes) {
        escaped = escaped.replace("\\", "\\\\");
      }
      return "'" + escaped + "'";
    }

    /** Serialises provisioner tasks working on the same database name (released when the session ends). */
    void lock(String db) throws ProvisionException {
      String name = "wikifarm:db:" + sha1(db); // lock names are limited to 64 characters
      // wait for the lock for less than the statement timeout, so a busy lock reads as "retry", not a timeout
      Row row = one(conn.preparedQuery("SELECT GET_LOCK(?, ?)").execute(Tuple.of(name,
          Math.max(1, timeout.toSeconds() / 2))), "lock " + db);
      Long got = row.getLong(0);
      if (got == null || got != 1L) {
        throw new ProvisionException("another task is provisioning database " + db + "; will retry", true, null);
      }
    }

    SchemaState schema(String db) throws ProvisionException {
      Row row = one(conn.preparedQuery("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")
          .execute(Tuple.of(db)), "look up database " + db);
      return row.getLong(0) > 0 ? SchemaState.PRESENT : SchemaState.ABSENT;
    }

    String schemaComment(String db) throws ProvisionException {
      Row row = one(conn.preparedQuery("SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA "
          + "WHERE SCHEMA_NAME = ?").execute(Tuple.of(db)), "look up database " + db);
      return row == null ? null : row.getString(0);
    }

    boolean userExists(String user) throws ProvisionException {
      Row row = one(conn.preparedQuery("SELECT COUNT(*) FROM mysql.user WHERE User = ? AND Host = '%'")
          .execute(Tuple.of(user)), "look up user " + user);
      return row.getLong(0) > 0;
    }

    boolean tableExists(String db, String table) throws ProvisionException {
      Row row = one(conn.preparedQuery("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
          + "AND TABLE_NAME = ?").execute(Tuple.of(db, table)), "look up table " + db + "." + table);
      return row.getLong(0) > 0;
    }

    /** Runs one statement that holds no secret; {@code what} names it in errors. */
    void exec(String sql, String what) throws ProvisionException {
      await(conn.query(sql).execute(), what, false);
    }

    /** Runs one statement that holds the password: failures report only the error code. */
    void execSecret(String sql, String what) throws ProvisionException {
      await(conn.query(sql).execute(), what, true);
    }

    private Row one(Future<RowSet<Row>> query, String what) throws ProvisionException {
      RowSet<Row> rows = await(query, what, false);
      return rows.size() == 0 ? null : rows.iterator().next();
    }

    private <T> T await(Future<T> future, String what, boolean secret) throws ProvisionException {
      try {
        return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new ProvisionException("timed out (" + what + ") on the wiki database server at " + address, true,
            null);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProvisionException("interrupted (" + what + ")", true, null);
      } catch (ExecutionException e) {
        throw DbErrors.statementFailed(e.getCause(), what, secret, address);
      }
    }

    @Override
    public void close() {
      // Wait for a clean COM_QUIT; a failure leaves nothing behind: the server ends the session and frees
      // the lock either way.
      try {
        conn.close().toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | TimeoutException e) {
        LOG.fine("closing the admin session failed: " + e.getClass().getSimpleName());
      }
    }
  }

  private static String sha1(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
