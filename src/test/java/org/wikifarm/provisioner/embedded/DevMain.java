package org.wikifarm.provisioner.embedded;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.wikifarm.provisioner.app.Metrics;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.wikifarm.provisioner.app.Application;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * The embedded dev mode ({@code mvn -Pdev test-compile exec:java}): a real MariaDB and Redis, the schema from
 * {@code sql/}, a template (a real MediaWiki where PHP and Debian's package are installed, else a stand-in),
 * the service on 127.0.0.1:8080 and a web server for the wikis it creates. Everything is kept under
 * {@code ./var/} ({@link DevVar}) across every kind of stop. Lives on the test classpath so the embedded
 * servers never reach the production jar. Switches: {@link DevOptions}.
 *
 * <p>Stops in order on Ctrl-C / SIGTERM: the service first (no task writes into a stopped database), then the
 * wiki server, Redis (append-only file flushed), MariaDB (clean shutdown), and only then the lock on var/, so
 * a second start waits until the data is safely on disk.
 */
public final class DevMain {
  private static final PrintStream OUT = System.out;

  private DevMain() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    // stopped in reverse order, by the shutdown hook or after a failed start; the hook is there from the
    // first server on, so a Ctrl-C during start-up stops what is already running
    Deque<AutoCloseable> started = new ConcurrentLinkedDeque<>();
    try {
      DevOptions options = DevOptions.parse(args);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(started, options.varDir()), "dev-stop"));
      DevBanner banner = start(options, started);
      OUT.println(banner.text());
      new CountDownLatch(1).await(); // until the shutdown hook ends the JVM
    } catch (DevModeException | ConfigException e) {
      failed(e.getMessage(), started);
    } catch (Exception e) {
      Throwable cause = e.getCause() instanceof ConfigException ? e.getCause() : e;
      failed(cause.getMessage() == null ? cause.toString() : cause.getMessage(), started);
    }
  }

  private static void failed(String message, Deque<AutoCloseable> started) {
    System.err.println("dev mode failed to start: " + message);
    closeAll(started);
    System.exit(1);
  }

  private static DevBanner start(DevOptions options, Deque<AutoCloseable> started) throws Exception {
    OUT.println("WikiFarm Provisioner dev mode: data in " + options.varDir());
    DevVar var = DevVar.open(options.varDir(), options.reset(), OUT);
    started.push(var);
    Optional<String> noMediaWiki = options.demoTemplate() ? Optional.of("--demo-template was given")
        : DevMediaWiki.unavailable();

    OUT.println("MariaDB on 127.0.0.1:" + options.mariaDbPort() + (var.fresh()
        ? " (new database: installing it, a few seconds) …" : " (the database kept in var/) …"));
    EmbeddedMariaDb db = EmbeddedMariaDb.startOwned(var.mariaDb(), options.mariaDbPort());
    started.push(db);
    db.leftoverStopped().ifPresent(what -> OUT.println("  " + what));
    List<String> slugs = setUpDatabase(db, noMediaWiki.isEmpty());
    // ready wikis only: a failed one may lack its directory by design (a rollback that removed it)
    var.requireDirectoriesFor(db.queryColumn("SELECT slug FROM wikifarm_wikis WHERE status = 'ready'",
        EmbeddedMariaDb.METADATA_DB));

    OUT.println("Redis on 127.0.0.1:" + options.redisPort() + " …");
    EmbeddedRedis redis = EmbeddedRedis.startOwned(var.redis(), options.redisPort());
    started.push(redis);
    redis.leftoverStopped().ifPresent(what -> OUT.println("  " + what));

    Files.createDirectories(var.wikis());
    Files.createDirectories(var.oauth());
    String rootHost = "wiki.localhost";
    Map<String, String> dev = new HashMap<>();
    dev.put("DATABASE_URL", db.appDatabaseUrl());
    dev.put("REDIS_URL", redis.url());
    dev.put("REDIS_SERVER", "127.0.0.1:" + options.redisPort());
    dev.put("BIND_ADDR", "127.0.0.1:" + options.httpPort());
    dev.put("WIKIFARM_DIR", var.wikis().toString());
    dev.put("WIKIFARM_OAUTH_DIR", var.oauth().toString());
    // the port makes every wiki's "url" (and MediaWiki's $wgServer) point at the dev wiki server
    dev.put("WIKI_ROOT_HOST", rootHost + ":" + options.wikiPort());
    dev.put("WIKI_DB_HOST", "127.0.0.1:" + options.mariaDbPort());
    dev.put("WIKI_DB_ADMIN_USER", EmbeddedMariaDb.ADMIN_USER);
    dev.put("WIKI_DB_ADMIN_PASSWORD", EmbeddedMariaDb.ADMIN_PASSWORD);
    dev.put("WIKIFARM_EXECUTOR", "local");
    String template;
    if (noMediaWiki.isEmpty()) {
      Path dir = var.templates().resolve("mediawiki");
      if (!DevMediaWiki.templateCurrent(dir)) {
        OUT.println("building the MediaWiki template in " + dir + " (first run: a copy of "
            + DevMediaWiki.MEDIAWIKI + ") …");
      }
      dev.put("WIKIFARM_TEMPLATE", DevMediaWiki.ensureTemplate(dir).toString());
      dev.put("WIKI_SHARED_DB_NAME", DevMediaWiki.SHARED_DB);
      dev.put("WIKIFARM_INSTALL_COMMANDS", DevMediaWiki.INSTALL_COMMANDS);
      dev.put("WIKIFARM_DOCKER_INDEX_CFG_COMMANDS", DevMediaWiki.NO_COMMANDS);
      dev.put("WIKIFARM_INDEX_COMMANDS", DevMediaWiki.NO_COMMANDS);
      template = DevMediaWiki.version() + " from " + DevMediaWiki.MEDIAWIKI + ": real wikis (its installer runs "
          + "with php; no search index)";
    } else {
      dev.put("WIKIFARM_TEMPLATE", DemoTemplate.ensure(var.templates().resolve("demo")).toString());
      dev.put("WIKI_SHARED_DB_NAME", EmbeddedMariaDb.SHARED_DB);
      dev.put("WIKIFARM_INSTALL_COMMANDS", DemoTemplate.INSTALL_COMMANDS);
      dev.put("WIKIFARM_DOCKER_INDEX_CFG_COMMANDS", DemoTemplate.INDEX_CFG_COMMANDS);
      dev.put("WIKIFARM_INDEX_COMMANDS", DemoTemplate.INDEX_COMMANDS);
      template = "demo stand-in (" + noMediaWiki.get() + (options.demoTemplate() ? ""
          : "; apt-get install php-cli php-mysql mediawiki for real wikis") + "): its commands only echo and sleep";
    }
    DevEnvironment env = DevEnvironment.of(dev, System.getenv(), options.useEnv());

    // http: the wiki server has no TLS; no executor user: the local executor runs commands as this user anyway
    List<String> flags = new ArrayList<>(List.of("--set", "farm.url-scheme=http", "--set", "executor.user="));
    flags.addAll(options.serviceArgs()); // the user's flags come last and win
    ConfigLoader.CommandLine commandLine = ConfigLoader.parseCommandLine(flags);
    if (!commandLine.rest().isEmpty()) {
      throw new DevModeException("unknown argument(s) " + commandLine.rest() + "; the dev mode takes --reset, "
          + "--use-env, --demo-template and the service's flags (--set key=value, --workers N, --bind HOST:PORT)");
    }
    Vertx vertx = Vertx.vertx(Metrics.enable(new VertxOptions())); // as `serve` does: a complete /metrics
    started.push(() -> vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    AppConfig config = ConfigLoader.load(env.variables(), commandLine);

    // the wiki server before the service: a wiki created at once must be reachable at once
    DevWikiServer wikiServer = noMediaWiki.isEmpty()
        ? DevWikiServer.startPhp(var.dir, var.wikis(), options.wikiPort(), rootHost)
        : DevWikiServer.startPlaceholder(var.wikis(), options.wikiPort());
    started.push(wikiServer);
    Optional.ofNullable(wikiServer.leftoverStopped()).ifPresent(what -> OUT.println("  " + what));

    Application app = Application.start(vertx, config).toCompletionStage().toCompletableFuture()
        .get(60, TimeUnit.SECONDS);
    started.push(() -> app.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS));
    var.markComplete();
    return new DevBanner(options, app.httpPort(), var.fresh(), slugs, template, env, rootHost);
  }

  /** Schema, shared tables, the featured trigger; returns the slugs already taken. */
  private static List<String> setUpDatabase(EmbeddedMariaDb db, boolean mediaWiki) throws Exception {
    db.source(Path.of("sql", "tables.sql"), EmbeddedMariaDb.METADATA_DB);
    for (Path migration : TestInfra.migrations()) { // idempotent by contract (README): every start applies them all
      db.source(migration, EmbeddedMariaDb.METADATA_DB);
    }
    if (mediaWiki) {
      DevMediaWiki.createSharedDatabase(db);
    } else {
      db.run("CREATE TABLE IF NOT EXISTS `user` (user_id INT UNSIGNED PRIMARY KEY, user_name VARBINARY(255)); "
          + "CREATE TABLE IF NOT EXISTS user_properties (up_user INT UNSIGNED, up_property VARBINARY(255), up_value BLOB); "
          + "CREATE TABLE IF NOT EXISTS actor (actor_id BIGINT UNSIGNED PRIMARY KEY, actor_name VARBINARY(255));",
          EmbeddedMariaDb.SHARED_DB);
    }
    // The dev mode features what it creates, so featured=1 (the extension's front page) shows the demo wikis.
    // In a farm an operator features wikis; the service itself never does, so this stays out of its code.
    db.runEach(List.of("DROP TRIGGER IF EXISTS wikifarm_dev_featured",
        "CREATE TRIGGER wikifarm_dev_featured BEFORE INSERT ON wikifarm_wikis FOR EACH ROW SET NEW.is_featured = 1"),
        EmbeddedMariaDb.METADATA_DB);
    return db.queryColumn("SELECT slug FROM wikifarm_wikis", EmbeddedMariaDb.METADATA_DB);
  }

  private static void stop(Deque<AutoCloseable> started, Path var) {
    if (started.isEmpty()) {
      return; // a failed start already stopped everything
    }
    OUT.println("stopping: the service, then the wiki server, Redis and MariaDB …");
    closeAll(started);
    OUT.println("stopped; data kept in " + var);
  }

  private static void closeAll(Deque<AutoCloseable> started) {
    while (!started.isEmpty()) {
      AutoCloseable next = started.pop();
      try {
        next.close();
      } catch (Exception e) {
        System.err.println("while stopping: " + e); // carry on: the rest must still stop
      }
    }
  }
}
