package org.wikifarm.provisioner.embedded;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.config.ConfigLoader;

/** Complete, valid configurations for tests, pointing at the shared embedded servers and a scratch farm. */
public final class TestConfigs {
  private TestConfigs() {}

  /**
   * The configuration JSON for a farm under {@code farmRoot} (wikis/, oauth/, template/ created), the shared
   * MariaDB (as the app account, admin = {@link EmbeddedMariaDb#ADMIN_USER}) and the shared Redis, with the
   * {@code local} executor and no phase-5/7 commands. Tests adjust it and call {@link ConfigLoader#fromJson}.
   */
  public static JsonObject json(Path farmRoot) throws Exception {
    return json(farmRoot, TestInfra.mariaDb(), TestInfra.redis().url(),
        "wikifarm-test-" + ProcessHandle.current().pid() + ":");
  }

  /** As {@link #json(Path)} on other servers (the benchmark harness's) with a Redis key prefix of its own. */
  public static JsonObject json(Path farmRoot, EmbeddedMariaDb db, String redisUrl, String redisKeyPrefix)
      throws Exception {
    Files.createDirectories(farmRoot.resolve("wikis"));
    Files.createDirectories(farmRoot.resolve("oauth"));
    Path template = Files.createDirectories(farmRoot.resolve("template"));
    if (!Files.exists(template.resolve("pubwiki.ini"))) {
      try (java.io.InputStream in = TestConfigs.class.getResourceAsStream("/demo-template/pubwiki.ini")) {
        Files.copy(in, template.resolve("pubwiki.ini"));
      }
    }
    return new JsonObject()
        // no create rate limit: tests share one Redis and create many wikis for the same owner
        .put("http", new JsonObject().put("bind", "127.0.0.1:0").put("create-rate-limit", 0))
        .put("database", new JsonObject().put("url", db.appDatabaseUrl()))
        .put("redis", new JsonObject().put("url", redisUrl).put("key-prefix", redisKeyPrefix))
        .put("farm", new JsonObject()
            .put("wiki-dir", farmRoot.resolve("wikis").toString())
            .put("oauth-dir", farmRoot.resolve("oauth").toString())
            .put("template", farmRoot.resolve("template").toString())
            .put("root-host", "wiki.test"))
        .put("wiki-db", new JsonObject()
            .put("host", "127.0.0.1:" + db.port())
            .put("admin-user", EmbeddedMariaDb.ADMIN_USER)
            .put("admin-password", EmbeddedMariaDb.ADMIN_PASSWORD)
            .put("shared-db-name", EmbeddedMariaDb.SHARED_DB))
        .put("executor", new JsonObject().put("type", "local").put("user", "")
            .put("install-commands", new JsonArray()).put("index-cfg-commands", new JsonArray())
            .put("index-commands", new JsonArray()))
        .put("worker", new JsonObject().put("poll-interval", "200ms"));
  }

  public static AppConfig config(Path farmRoot) throws Exception {
    return ConfigLoader.fromJson(json(farmRoot));
  }
}
