package org.wikifarm.provisioner.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.ConfigException;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;

/** Start-up: the schema check fails fast and names what is missing; nothing secret reaches the log. */
class StartupTest {

  private Throwable startFailure(JsonObject json) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Application.start(vertx, ConfigLoader.fromJson(json)).toCompletionStage().toCompletableFuture()
          .get(60, TimeUnit.SECONDS).stop().toCompletionStage().toCompletableFuture().get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } finally {
      vertx.close();
    }
  }

  private JsonObject configFor(String database) throws Exception {
    EmbeddedMariaDb db = TestInfra.mariaDb();
    JsonObject json = TestConfigs.json(Files.createTempDirectory(TestInfra.scratch(), "farm"));
    json.getJsonObject("database").put("url", "mysql://" + EmbeddedMariaDb.ADMIN_USER + ":"
        + EmbeddedMariaDb.ADMIN_PASSWORD + "@127.0.0.1:" + db.port() + "/" + database);
    return json;
  }

  @Test
  void missingTablesAndColumnsStopTheStartWithAMessageNamingThem() throws Exception {
    EmbeddedMariaDb db = TestInfra.mariaDb();
    db.run("CREATE DATABASE IF NOT EXISTS schema_empty", null);
    Throwable empty = startFailure(configFor("schema_empty"));
    assertInstanceOf(ConfigException.class, empty);
    assertTrue(empty.getMessage().contains("table wikifarm_wikis") && empty.getMessage().contains("table wikifarm_tasks")
        && empty.getMessage().contains("sql/tables.sql"), empty.getMessage());

    db.run("CREATE DATABASE IF NOT EXISTS schema_partial", null);
    db.source(Path.of("sql", "tables.sql"), "schema_partial");
    db.run("ALTER TABLE wikifarm_tasks DROP COLUMN finished_at", "schema_partial");
    db.run("ALTER TABLE wikifarm_wikis DROP INDEX uniq_slug", "schema_partial");
    Throwable partial = startFailure(configFor("schema_partial"));
    assertInstanceOf(ConfigException.class, partial);
    assertTrue(partial.getMessage().contains("column wikifarm_tasks.finished_at"), partial.getMessage());
    assertTrue(partial.getMessage().contains("unique index on wikifarm_wikis.slug"), partial.getMessage());
    assertFalse(partial.getMessage().contains("table wikifarm_wikis,"), partial.getMessage());

    // the migration is idempotent and restores the index
    Path migration = Path.of("sql", "migrations", "20250928_add_unique_index_wikifarm_wikis_slug.sql");
    db.source(migration, "schema_partial");
    db.source(migration, "schema_partial");
    db.run("ALTER TABLE wikifarm_tasks ADD COLUMN finished_at DATETIME NULL", "schema_partial");
    assertTrue(startFailure(configFor("schema_partial")) == null, "starts once the schema is complete");
  }

  @Test
  void anUnreachableDatabaseIsWaitedForThenARuntimeFailureNotAConfigurationError() throws Exception {
    JsonObject json = TestConfigs.json(Files.createTempDirectory(TestInfra.scratch(), "farm"));
    json.getJsonObject("database").put("url", "mysql://u:hidden-pw-777@127.0.0.1:1/mediawiki")
        .put("connect-timeout", "2s");
    List<String> lines = new ArrayList<>();
    Throwable failure = withLogCapture(lines, () -> startFailure(json));
    assertFalse(failure instanceof ConfigException, "not a configuration error: " + failure);
    assertTrue(failure.getMessage().contains("127.0.0.1:1 (DATABASE_URL) did not answer within 2s"),
        failure.getMessage());
    assertFalse(failure.getMessage().contains("hidden-pw-777"));
    assertTrue(lines.stream().anyMatch(l -> l.contains("does not answer yet") && l.contains("retrying for up to 2s")),
        "the wait is logged: " + lines);
  }

  @Test
  void aRefusedLoginIsAConfigurationProblemAtOnce() throws Exception {
    JsonObject json = configFor(EmbeddedMariaDb.METADATA_DB);
    json.getJsonObject("database").put("url", "mysql://" + EmbeddedMariaDb.ADMIN_USER + ":wrong-pw-888@127.0.0.1:"
        + TestInfra.mariaDb().port() + "/" + EmbeddedMariaDb.METADATA_DB);
    long started = System.nanoTime();
    Throwable failure = startFailure(json);
    assertInstanceOf(ConfigException.class, failure);
    assertTrue(failure.getMessage().contains("refused the login of '" + EmbeddedMariaDb.ADMIN_USER + "'"),
        failure.getMessage());
    assertFalse(failure.getMessage().contains("wrong-pw-888"));
    assertTrue(System.nanoTime() - started < 30_000_000_000L, "no waiting for an answer that will not change");
  }

  private static Throwable withLogCapture(List<String> lines, java.util.concurrent.Callable<Throwable> action)
      throws Exception {
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        synchronized (lines) {
          lines.add(record.getMessage());
        }
      }

      @Override
      public void flush() { }

      @Override
      public void close() { }
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      return action.call();
    } finally {
      root.removeHandler(capture);
    }
  }

  @Test
  void secretsNeverReachTheLog() throws Exception {
    List<String> lines = new ArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        synchronized (lines) {
          lines.add(record.getMessage() + " " + record.getThrown());
        }
      }

      @Override
      public void flush() { }

      @Override
      public void close() { }
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      JsonObject json = TestConfigs.json(Files.createTempDirectory(TestInfra.scratch(), "farm"));
      json.getJsonObject("http").put("api-token", "tok-LOGCHECK-1").put("bind", "0.0.0.0:0");
      json.put("opensearch", new JsonObject().put("password", "os-LOGCHECK-2"));
      Vertx vertx = Vertx.vertx();
      try {
        Application app = Application.start(vertx, ConfigLoader.fromJson(json)).toCompletionStage()
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
        Logger.getLogger("test").info("config at start: " + app.config());
        app.stop().toCompletionStage().toCompletableFuture().get();
      } finally {
        vertx.close();
      }
    } finally {
      root.removeHandler(capture);
    }
    String all = String.join("\n", lines);
    assertTrue(all.contains("config at start"), "the capture works");
    for (String secret : new String[] {"tok-LOGCHECK-1", "os-LOGCHECK-2", EmbeddedMariaDb.APP_PASSWORD,
        EmbeddedMariaDb.ADMIN_PASSWORD}) {
      assertFalse(all.contains(secret), "log leaks " + secret);
    }
  }
}
