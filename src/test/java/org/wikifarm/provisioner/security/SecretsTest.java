package org.wikifarm.provisioner.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.cli.LogLineFormatter;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.EmbeddedMariaDb;
import org.wikifarm.provisioner.embedded.EmbeddedRedis;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.sse.SseClient;
import org.wikifarm.provisioner.support.IniFile;

/**
 * Secrets with every character that tends to slip past a redactor ({@code $ " \ % / @ ;}), a Redis password
 * given only inside REDIS_URL, and maintenance commands that print {@code pubwiki.ini} and their environment:
 * after a successful and a failed task, none of the secrets — raw, URL-encoded, ini-escaped or JSON-escaped —
 * is in the log, the SSE events, the task messages, an error body, any Redis value, or a command's environment.
 */
class SecretsTest {
  private static final String DB_PASSWORD = "Db$\"\\%/@;pw-one";
  private static final String ADMIN_PASSWORD = "Adm$\"\\%/@;pw-two";
  private static final String OPENSEARCH_PASSWORD = "Os$\"\\%/@;pw-three";
  private static final String REDIS_PASSWORD = "Rd$\"\\%/@;pw-four";
  private static final String API_TOKEN = "Tok$%/@;pw-five";

  @Test
  void noSecretInAnyFormReachesWhatUsersOrOperatorsSee() throws Exception {
    TestInfra.truncateMetadata();
    EmbeddedMariaDb mariaDb = TestInfra.mariaDb();
    List<String> seen = new CopyOnWriteArrayList<>();
    Handler capture = capturingLog(seen);
    Logger.getLogger("").addHandler(capture);
    Vertx vertx = Vertx.vertx();
    try (TestDb db = new TestDb(); EmbeddedRedis redisServer = EmbeddedRedis.start(0)) {
      db.query("CREATE USER IF NOT EXISTS 'secretsapp'@'%' IDENTIFIED BY '" + sqlEscape(DB_PASSWORD) + "'");
      db.query("GRANT SELECT, INSERT, UPDATE, DELETE ON `" + EmbeddedMariaDb.METADATA_DB + "`.* TO 'secretsapp'@'%'");
      db.query("CREATE USER IF NOT EXISTS 'secretsadmin'@'%' IDENTIFIED BY '" + sqlEscape(ADMIN_PASSWORD) + "'");
      db.query("GRANT ALL PRIVILEGES ON *.* TO 'secretsadmin'@'%' WITH GRANT OPTION");
      RedisAPI redisAdmin = RedisAPI.api(Redis.createClient(vertx, redisServer.url()));
      redisAdmin.config(List.of("SET", "requirepass", REDIS_PASSWORD)).toCompletionStage().toCompletableFuture().get();

      String redisUrl = "redis://:" + URLEncoder.encode(REDIS_PASSWORD, StandardCharsets.UTF_8) + "@127.0.0.1:"
          + redisServer.port();
      String dbUrl = "mysql://secretsapp:" + URLEncoder.encode(DB_PASSWORD, StandardCharsets.UTF_8) + "@127.0.0.1:"
          + mariaDb.port() + "/" + EmbeddedMariaDb.METADATA_DB;
      // the install prints what a chatty maintenance script may print: the ini and its environment
      JsonArray chatty = new JsonArray().add(new JsonArray().add("sh").add("-c")
          .add("cat pubwiki.ini; env; env > command-env.txt; grep PASSWORD pubwiki.ini; "
              + "case \"$PWD\" in *fails*) exit 3;; esac"));
      try (RunningService service = RunningService.start(json -> {
        json.getJsonObject("database").put("url", dbUrl);
        json.getJsonObject("redis").put("url", redisUrl);
        json.getJsonObject("http").put("api-token", API_TOKEN);
        json.getJsonObject("wiki-db").put("admin-user", "secretsadmin").put("admin-password", ADMIN_PASSWORD);
        json.put("opensearch", new JsonObject().put("user", "os").put("password", OPENSEARCH_PASSWORD)
            .put("endpoint", "https://search.internal:9200"));
        json.getJsonObject("executor").put("install-commands", chatty);
      })) {
        ApiClient api = service.client;
        String[] auth = {"Authorization", "Bearer " + API_TOKEN};
        List<String> texts = new ArrayList<>();
        String ok = create(api, auth, "secrets-ok");
        String fails = create(api, auth, "secrets-fails");
        for (String task : List.of(ok, fails)) {
          SseClient.Stream stream = SseClient.read("http://127.0.0.1:" + service.app.httpPort()
              + "/provisioner/v1/tasks/" + task + "/events", null, Duration.ofSeconds(60), -1, auth);
          assertEquals(200, stream.status(), stream.rawPrefix());
          stream.events().forEach(e -> texts.add(e.data().encode()));
        }
        assertEquals("succeeded", status(db, ok));
        assertEquals("failed", status(db, fails));
        texts.add(db.query("SELECT message FROM wikifarm_tasks WHERE id = ?", ok).iterator().next().getString("message"));
        texts.add(db.query("SELECT message FROM wikifarm_tasks WHERE id = ?", fails).iterator().next().getString("message"));
        // error bodies: a wrong token, a bad body, a duplicate
        texts.add(api.postJson("/provisioner/v1/wikis", "{}", "Authorization", "Bearer " + API_TOKEN + "x").body());
        texts.add(api.postJson("/provisioner/v1/wikis", "{\"name\":", auth).body());
        texts.add(api.get("/ready").body());
        // every Redis value the service wrote
        texts.addAll(redisValues(redisAdmin));
        // the command's own environment, as it saw it
        String commandEnv = Files.readString(service.farm.resolve("wikis").resolve("secrets-ok").resolve("command-env.txt"));
        texts.add(commandEnv);
        texts.addAll(seen);

        Map<String, String> forms = forms();
        List<String> leaks = new ArrayList<>();
        for (String text : texts) {
          if (text == null) {
            continue;
          }
          forms.forEach((label, form) -> {
            if (text.contains(form)) {
              leaks.add(label + " in: " + text.substring(Math.max(0, text.indexOf(form) - 60),
                  Math.min(text.length(), text.indexOf(form) + form.length() + 20)));
            }
          });
        }
        assertEquals(List.of(), leaks, "secrets leaked");
        String failure = db.query("SELECT message FROM wikifarm_tasks WHERE id = ?", fails).iterator().next()
            .getString("message");
        assertTrue(failure.contains("PASSWORD") && failure.contains("***"),
            "the failure shows the last output, the ini's password lines, masked: " + failure);

        // the Redis password given only in REDIS_URL is the one the wikis get
        Map<String, String> ini = IniFile.read(service.farm.resolve("wikis").resolve("secrets-ok").resolve("pubwiki.ini"));
        assertEquals(REDIS_PASSWORD, ini.get("REDIS_PASSWORD"));
        assertEquals(OPENSEARCH_PASSWORD, ini.get("OPENSEARCH_PASSWORD"));
      }
    } finally {
      Logger.getLogger("").removeHandler(capture);
      vertx.close();
    }
  }

  /** Every form a secret can take on its way out, labelled by secret and encoding. */
  private static Map<String, String> forms() {
    Map<String, String> forms = new LinkedHashMap<>();
    Map<String, String> secrets = Map.of("database password", DB_PASSWORD, "admin password", ADMIN_PASSWORD,
        "OpenSearch password", OPENSEARCH_PASSWORD, "Redis password", REDIS_PASSWORD, "API token", API_TOKEN);
    secrets.forEach((name, secret) -> {
      forms.put(name + " (raw)", secret);
      forms.put(name + " (URL-encoded)", URLEncoder.encode(secret, StandardCharsets.UTF_8));
      String ini = IniFile.quote(secret);
      forms.put(name + " (ini-escaped)", ini.substring(1, ini.length() - 1));
      String json = Json.encode(secret);
      forms.put(name + " (JSON-escaped)", json.substring(1, json.length() - 1));
    });
    return forms;
  }

  private static List<String> redisValues(RedisAPI redis) throws Exception {
    List<String> values = new ArrayList<>();
    Response keys = redis.keys("*").toCompletionStage().toCompletableFuture().get();
    for (Response key : keys) {
      String k = key.toString();
      String type = redis.type(k).toCompletionStage().toCompletableFuture().get().toString();
      Response value = switch (type) {
        case "string" -> redis.get(k).toCompletionStage().toCompletableFuture().get();
        case "list" -> redis.lrange(k, "0", "-1").toCompletionStage().toCompletableFuture().get();
        case "set" -> redis.smembers(k).toCompletionStage().toCompletableFuture().get();
        case "stream" -> redis.xrange(List.of(k, "-", "+")).toCompletionStage().toCompletableFuture().get();
        default -> null;
      };
      values.add(k + " = " + value);
    }
    assertTrue(values.size() > 3, "the service wrote to this Redis: " + values);
    return values;
  }

  private static Handler capturingLog(List<String> seen) {
    LogLineFormatter format = new LogLineFormatter(); // the service log's own line
    return new Handler() {
      @Override
      public void publish(LogRecord r) {
        if (r.getLoggerName() == null || !r.getLoggerName().startsWith("ch.vorburger")) {
          seen.add(format.format(r)); // message, parameters and the stack trace, as a log file would hold
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }

  private static String create(ApiClient api, String[] auth, String slug) throws Exception {
    ApiClient.Response r = api.postJson("/provisioner/v1/wikis", ApiClient.createBody("Secret " + slug, slug), auth);
    assertEquals(202, r.status(), r.body());
    return r.json().getString("task_id");
  }

  private static String status(TestDb db, String task) throws Exception {
    return db.query("SELECT status FROM wikifarm_tasks WHERE id = ?", task).iterator().next().getString("status");
  }

  private static String sqlEscape(String s) {
    return s.replace("\\", "\\\\").replace("'", "''");
  }
}
