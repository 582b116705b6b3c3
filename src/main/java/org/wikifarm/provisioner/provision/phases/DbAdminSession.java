package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.support.Blocking;

/**
 * One session of the farm's admin account on the wiki database server, sending every statement db_provision
 * needs. Closing it ends the session, which also releases its named lock; a session from
 * {@link DbAdminSessions} is reset instead (lock released, session state cleared) and its connection kept for
 * the next task.
 *
 * <p>Names must arrive allow-listed (letters, digits, '_'): they are spliced into the SQL text, quoted but not
 * escaped. String literals (the password, the ownership comment) are escaped for the session's sql_mode.
 * Statements carrying the password fail with their error code only.
 *
 * <p>Blocking, for a worker thread: every call waits at most the timeout given to {@link #open}.
 */
final class DbAdminSession implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(DbAdminSession.class.getName());

  final MySQLConnection conn; // with the timeout and held lock: what DbAdminSessions resets before reuse
  private final String address;
  final Duration timeout;
  private boolean backslashEscapes = true;

  /** Takes the session's connection over at {@link #close} (to reset and keep it, or log it out); may be null. */
  private final Consumer<DbAdminSession> handOver;
  /** The named lock {@link #lock} took, released before the connection is reused. */
  String heldLock;

  private DbAdminSession(MySQLConnection conn, String address, Duration timeout, Consumer<DbAdminSession> handOver) {
    this.conn = conn;
    this.address = address;
    this.timeout = timeout;
    this.handOver = handOver;
  }

  /** Logs in with the admin account of {@code cfg}; closing the session logs out. */
  static DbAdminSession open(Vertx vertx, AppConfig.WikiDb cfg, Duration timeout) throws ProvisionException {
    return open(vertx, cfg, timeout, null);
  }

  /**
   * A session on a connection an earlier session handed over (see {@link DbAdminSessions}); fails when the
   * connection no longer answers (the server may have closed it while it was idle).
   */
  static DbAdminSession reusing(MySQLConnection conn, String address, Duration timeout,
      Consumer<DbAdminSession> handOver) throws ProvisionException {
    DbAdminSession session = new DbAdminSession(conn, address, timeout, handOver);
    session.detectEscaping(); // the reset gave the session the server's current global sql_mode
    return session;
  }

  /**
   * Logs in with the admin account of {@code cfg}; when {@code handOver} is given, {@link #close} hands it the
   * session instead of logging out.
   */
  static DbAdminSession open(Vertx vertx, AppConfig.WikiDb cfg, Duration timeout, Consumer<DbAdminSession> handOver)
      throws ProvisionException {
    DbAddress address = DbAddress.parse(cfg.adminAddress());
    MySQLConnectOptions options = new MySQLConnectOptions()
        .setHost(address.host()).setPort(address.port())
        .setUser(cfg.adminUser()).setPassword(cfg.adminPassword().reveal())
        .setCharset("utf8mb4");
    Future<MySQLConnection> pending = MySQLConnection.connect(vertx, options);
    MySQLConnection conn;
    try {
      conn = Blocking.await(pending, timeout);
    } catch (TimeoutException e) {
      pending.onSuccess(MySQLConnection::close); // do not leak it if it completes later
      throw new ProvisionException("timed out connecting to the wiki database server at " + cfg.adminAddress(),
          true, null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisionException("interrupted while connecting to the wiki database server", true, null);
    } catch (Exception e) {
      // the login itself failed: map the future's own failure (Blocking.await wraps it if it is an Error)
      throw DbErrors.loginFailed(pending.cause(), cfg.adminAddress(), cfg.adminUser());
    }
    DbAdminSession session = new DbAdminSession(conn, cfg.adminAddress(), timeout, handOver);
    session.detectEscaping();
    return session;
  }

  /** String literals must be escaped the way the session's sql_mode reads them. */
  private void detectEscaping() throws ProvisionException {
    String mode = one(conn.query("SELECT @@SESSION.sql_mode").execute(), "read sql_mode").getString(0);
    backslashEscapes = mode == null || !mode.toUpperCase().contains("NO_BACKSLASH_ESCAPES");
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
    heldLock = name;
  }

  // --- lookups

  boolean databaseExists(String db) throws ProvisionException {
    Row row = one(conn.preparedQuery("SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?")
        .execute(Tuple.of(db)), "look up database " + db);
    return row.getLong(0) > 0;
  }

  /** The database's COMMENT, or null when the database does not exist. */
  String databaseComment(String db) throws ProvisionException {
    Row row = one(conn.preparedQuery("SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA "
        + "WHERE SCHEMA_NAME = ?").execute(Tuple.of(db)), "look up database " + db);
    return row == null ? null : row.getString(0);
  }

  /** What db_provision finds before it creates: {@code comment} null when the database does not exist. */
  record Existing(String comment, boolean userExists) {}

  /** The database's COMMENT and whether the user exists, in one round trip (the two checks before creating). */
  Existing lookUp(String db, String user) throws ProvisionException {
    Row row = one(conn.preparedQuery("SELECT (SELECT SCHEMA_COMMENT FROM information_schema.SCHEMATA "
        + "WHERE SCHEMA_NAME = ?), (SELECT COUNT(*) FROM mysql.user WHERE User = ? AND Host = '%')")
        .execute(Tuple.of(db, user)), "look up database " + db + " and user " + user);
    return new Existing(row.getString(0), row.getLong(1) > 0);
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

  /** Which of {@code tables} exist in {@code db}, in one query. */
  java.util.Set<String> tablesAmong(String db, java.util.List<String> tables) throws ProvisionException {
    java.util.Set<String> found = new java.util.HashSet<>();
    if (tables.isEmpty()) {
      return found;
    }
    Tuple params = Tuple.of(db);
    tables.forEach(params::addString);
    await(conn.preparedQuery("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND "
        + "TABLE_NAME IN (" + String.join(", ", java.util.Collections.nCopies(tables.size(), "?")) + ")")
        .execute(params), "look up tables in " + db, false).forEach(r -> found.add(r.getString(0)));
    return found;
  }

  /**
   * Every database whose name starts with {@code prefix}, with its COMMENT ("" when it has none): what
   * reconcile weighs against the rows.
   */
  java.util.Map<String, String> databasesStartingWith(String prefix) throws ProvisionException {
    java.util.Map<String, String> found = new java.util.TreeMap<>();
    await(conn.preparedQuery("SELECT SCHEMA_NAME, SCHEMA_COMMENT FROM information_schema.SCHEMATA "
        + "WHERE SCHEMA_NAME LIKE ? ESCAPE '|'").execute(Tuple.of(likePrefix(prefix))), "list databases", false)
        .forEach(r -> {
          String name = r.getString(0);
          if (name.startsWith(prefix)) { // LIKE ignores case under the default collation
            found.put(name, r.getString(1) == null ? "" : r.getString(1));
          }
        });
    return found;
  }

  /** Every user at host '%' whose name starts with {@code prefix} (the host db_provision creates users at). */
  java.util.List<String> usersStartingWith(String prefix) throws ProvisionException {
    java.util.List<String> found = new java.util.ArrayList<>();
    await(conn.preparedQuery("SELECT DISTINCT User FROM mysql.user WHERE Host = '%' AND User LIKE ? ESCAPE '|'")
        .execute(Tuple.of(likePrefix(prefix))), "list users", false)
        .forEach(r -> {
          String name = r.getString(0);
          if (name.startsWith(prefix)) {
            found.add(name);
          }
        });
    return found;
  }

  /** A LIKE pattern matching names that start with {@code prefix} ('_' of a prefix is no wildcard). */
  private static String likePrefix(String prefix) {
    return prefix.replace("|", "||").replace("%", "|%").replace("_", "|_") + "%";
  }

  /** The server's version string, e.g. {@code 11.4.5-MariaDB}. */
  String serverVersion() throws ProvisionException {
    return one(conn.query("SELECT VERSION()").execute(), "read the server version").getString(0);
  }

  /** {@code SHOW GRANTS} of the admin session itself: one GRANT statement per line. */
  java.util.List<String> ownGrants() throws ProvisionException {
    java.util.List<String> grants = new java.util.ArrayList<>();
    await(conn.query("SHOW GRANTS").execute(), "show grants", false).forEach(r -> grants.add(r.getString(0)));
    return grants;
  }

  // --- statements (DDL and DCL cannot be prepared, hence the text)

  /** {@code comment} is set atomically with the database: it is how an owner is recognised later. */
  void createDatabase(String db, String comment) throws ProvisionException {
    exec("CREATE DATABASE " + quote(db) + " CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci COMMENT "
        + literal(comment), "create database " + db);
  }

  void dropDatabase(String db) throws ProvisionException {
    exec("DROP DATABASE IF EXISTS " + quote(db), "drop database " + db);
  }

  void createUser(String user, String password) throws ProvisionException {
    execSecret("CREATE USER " + identified(user, password), "create user " + user);
  }

  void setPassword(String user, String password) throws ProvisionException {
    execSecret("ALTER USER " + identified(user, password), "alter user " + user);
  }

  /** Also removes every grant the user holds. */
  void dropUser(String user) throws ProvisionException {
    exec("DROP USER IF EXISTS " + account(user), "drop user " + user);
  }

  void grantAllOn(String db, String user) throws ProvisionException {
    exec("GRANT ALL PRIVILEGES ON " + quoteGrantDb(db) + ".* TO " + account(user), "grant on " + db);
  }

  void grantReadWriteOn(String db, String table, String user) throws ProvisionException {
    exec("GRANT SELECT, UPDATE, INSERT ON " + quote(db) + "." + quote(table) + " TO " + account(user),
        "grant on " + db + "." + table);
  }

  // --- quoting

  private static String quote(String identifier) {
    return "`" + identifier + "`"; // allow-listed: cannot contain a backtick
  }

  /**
   * A database name in a database-level GRANT: '_' and '%' are wildcards there, so {@code wiki_a_b} would
   * also match {@code wikiXaYb}, another wiki's database. Escape them.
   */
  private static String quoteGrantDb(String db) {
    return quote(db.replace("_", "\\_"));
  }

  private static String account(String user) {
    return "'" + user + "'@'%'"; // allow-listed: no quotes inside
  }

  private String identified(String user, String password) {
    return account(user) + " IDENTIFIED BY " + literal(password);
  }

  private String literal(String value) {
    String escaped = value.replace("'", "''"); // doubling works in every sql_mode
    if (backslashEscapes) {
      escaped = escaped.replace("\\", "\\\\");
    }
    return "'" + escaped + "'";
  }

  private static String sha1(String s) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  // --- running

  /** Runs one statement that holds no secret; {@code what} names it in errors. */
  private void exec(String sql, String what) throws ProvisionException {
    await(conn.query(sql).execute(), what, false);
  }

  /** Runs one statement that holds the password: failures report only the error code. */
  private void execSecret(String sql, String what) throws ProvisionException {
    await(conn.query(sql).execute(), what, true);
  }

  private Row one(Future<RowSet<Row>> query, String what) throws ProvisionException {
    RowSet<Row> rows = await(query, what, false);
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  private <T> T await(Future<T> future, String what, boolean secret) throws ProvisionException {
    try {
      return Blocking.await(future, timeout);
    } catch (TimeoutException e) {
      throw new ProvisionException("timed out (" + what + ") on the wiki database server at " + address, true,
          null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisionException("interrupted (" + what + ")", true, null);
    } catch (Exception e) {
      // the statement itself failed: map the future's own failure (Blocking.await wraps it if it is an Error)
      throw DbErrors.statementFailed(future.cause(), what, secret, address);
    }
  }

  @Override
  public void close() {
    if (handOver != null) {
      handOver.accept(this);
      return;
    }
    // Wait for a clean COM_QUIT; a failure leaves nothing behind: the server ends the session and frees
    // the lock either way.
    try {
      Blocking.await(conn.close(), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.fine("closing the admin session failed: " + e.getClass().getSimpleName());
    }
  }
}
