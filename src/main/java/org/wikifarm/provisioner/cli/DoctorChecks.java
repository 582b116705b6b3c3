package org.wikifarm.provisioner.cli;

import io.vertx.mysqlclient.MySQLException;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.cli.DoctorCommand.Check;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.phases.AdminAccountProbe;
import org.wikifarm.provisioner.store.OperatorStore;
import org.wikifarm.provisioner.store.SchemaVerifier;
import org.wikifarm.provisioner.support.Failures;

/**
 * The database and Redis checks of {@code doctor}, each through the service's own code (its pool, its schema
 * check, db_provision's admin session, its Redis client); {@link HostChecks} does the rest.
 */
final class DoctorChecks {
  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(10);

  private final Clients clients;
  private final AppConfig config;

  DoctorChecks(Clients clients) {
    this.clients = clients;
    this.config = clients.config;
  }

  List<Check> all() {
    List<Check> checks = new ArrayList<>(metadataDatabase());
    checks.addAll(adminAccount());
    checks.add(redis());
    checks.addAll(new HostChecks(config).all());
    return checks;
  }

  /** Reachable and logged in, then the schema and the v2 migration (only when it answers). */
  private List<Check> metadataDatabase() {
    AppConfig.Database db = config.database();
    String where = db.host() + ":" + db.port() + "/" + db.name();
    OperatorStore store = new OperatorStore(clients.pool);
    long started = System.nanoTime();
    String version;
    try {
      version = clients.await(store.serverVersion());
    } catch (Exception e) {
      String hint = e instanceof MySQLException m && (m.getErrorCode() == 1045 || m.getErrorCode() == 1044)
          ? "check the user and password in DATABASE_URL, and that the account may connect from this host"
          : e instanceof MySQLException m && m.getErrorCode() == 1049 ? "create the database or fix its name in DATABASE_URL"
          : "check DATABASE_URL's host and port, and that MariaDB is running and reachable from this host";
      return List.of(Check.failed("metadata DB", where + ": " + Failures.rootMessage(e), hint),
          Check.skipped("schema", "not checked: the metadata DB does not answer"),
          Check.skipped("v2 migration", "not checked: the metadata DB does not answer"));
    }
    List<Check> checks = new ArrayList<>();
    checks.add(Check.ok("metadata DB", version + " at " + where + " as " + db.user() + ", " + millis(started)));
    try {
      List<String> missing = clients.await(SchemaVerifier.missing(clients.pool));
      checks.add(missing.isEmpty() ? Check.ok("schema", "wikifarm_wikis and wikifarm_tasks complete")
          : Check.failed("schema", "lacks " + String.join(", ", missing),
              "the MediaWiki extension creates these tables; for a manual set-up apply sql/tables.sql and "
                  + "sql/migrations/*.sql"));
      List<String> v2 = clients.await(store.missingV2Schema());
      checks.add(v2.isEmpty() ? Check.ok("v2 migration", "applied (wikifarm_tasks.spec, task type delete_wiki)")
          : Check.warning("v2 migration", "not applied: lacks " + String.join(", ", v2),
              "creating wikis works; apply the extension's v2 migration before using wiki deletion"));
    } catch (Exception e) {
      checks.add(Check.failed("schema", "could not read information_schema: " + Failures.rootMessage(e),
          "grant the DATABASE_URL account SELECT on its database"));
    }
    return checks;
  }

  /** db_provision's own login at the wiki DB server, its privileges and the shared tables. */
  private List<Check> adminAccount() {
    AppConfig.WikiDb wikiDb = config.wikiDb();
    String who = wikiDb.adminUser() + "@" + wikiDb.adminAddress();
    AdminAccountProbe.Report report;
    try {
      report = AdminAccountProbe.probe(clients.vertx, wikiDb, ADMIN_TIMEOUT);
    } catch (Exception e) {
      return List.of(Check.failed("admin login", who + ": " + e.getMessage(),
              "the admin account (WIKI_DB_ADMIN_USER, WIKI_DB_ADMIN_PASSWORD) must log in at WIKI_DB_HOST "
                  + "(wiki-db.admin-address) from this host"),
          Check.skipped("admin privileges", "not checked: the admin login failed"),
          Check.skipped("shared tables", "not checked: the admin login failed"));
    }
    List<Check> checks = new ArrayList<>();
    checks.add(Check.ok("admin login", who + ", " + report.serverVersion() + ", "
        + report.loginTime().toMillis() + " ms"));
    // the grants on *.* are the ones that matter here (SHOW GRANTS also lists e.g. the default `test` grants)
    String grants = String.join("; ", report.grants().stream().filter(g -> g.contains(" ON *.* ")).toList());
    checks.add(report.missingPrivileges().isEmpty()
        ? Check.ok("admin privileges", "CREATE USER and GRANT OPTION on *.* (" + grants + ")")
        : Check.failed("admin privileges", "lacks " + String.join(" and ", report.missingPrivileges())
                + " on *.*; found: " + (grants.isEmpty() ? "no grant on *.*" : grants),
            "db_provision creates a user per wiki and grants it its database: GRANT ALL PRIVILEGES ON *.* TO '"
                + wikiDb.adminUser() + "'@'%' WITH GRANT OPTION"));
    checks.add(report.missingTables().isEmpty()
        ? Check.ok("shared tables", wikiDb.sharedDbName() + ": " + String.join(", ", wikiDb.sharedTables()))
        : Check.failed("shared tables", "missing " + String.join(", ", report.missingTables()),
            "each wiki's user gets SELECT, INSERT, UPDATE on them: check WIKI_SHARED_DB_NAME and "
                + "wiki-db.shared-tables, or create the farm's shared user tables"));
    return checks;
  }

  /** PING, the version, and whether it persists (ledgers and leases must survive a Redis restart). */
  private Check redis() {
    RedisAPI redis = clients.redis();
    long started = System.nanoTime();
    String version;
    try {
      clients.await(redis.ping(List.of()));
      version = clients.await(redis.info(List.of("server"))).toString().lines()
          .filter(l -> l.startsWith("redis_version:")).map(l -> "Redis " + l.substring(14).strip()).findFirst()
          .orElse("Redis");
    } catch (Exception e) {
      return Check.failed("redis", "no answer: " + Failures.rootMessage(e),
          "check REDIS_URL (or REDIS_SERVER and REDIS_PASSWORD) and that Redis is running");
    }
    String detail = version + ", " + millis(started);
    try {
      String aof = configValue(redis, "appendonly");
      String save = configValue(redis, "save");
      if ("yes".equalsIgnoreCase(aof) || !save.isBlank()) {
        return Check.ok("redis", detail + ", persistence: " + ("yes".equalsIgnoreCase(aof) ? "AOF" : "")
            + ("yes".equalsIgnoreCase(aof) && !save.isBlank() ? " + " : "") + (save.isBlank() ? "" : "RDB (save " + save + ")"));
      }
      return Check.warning("redis", detail + ", no persistence (appendonly no, save \"\")",
          "a Redis restart would forget rollback ledgers and leases: set appendonly yes (or an RDB save schedule)");
    } catch (Exception e) {
      return Check.warning("redis", detail + ", persistence unknown (CONFIG GET refused: " + Failures.rootMessage(e) + ")",
          "make sure the Redis service persists its data (AOF or RDB)");
    }
  }

  private String configValue(RedisAPI redis, String name) throws Exception {
    Response r = clients.await(redis.config(List.of("GET", name)));
    return r.size() >= 2 ? r.get(1).toString() : "";
  }

  static String millis(long startedNanos) {
    return Duration.ofNanos(System.nanoTime() - startedNanos).toMillis() + " ms";
  }
}
