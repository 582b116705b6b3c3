package org.wikifarm.provisioner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unknown keys are problems, wherever they are written, each with the valid key the operator most likely
 * meant; and check-config's rows say where every value came from without showing a secret.
 */
class ConfigStrictnessTest {
  @TempDir Path dir;

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", "mysql://svc:db-Secret-1@db.internal:3307/mediawiki");
    env.put("WIKIFARM_DIR", "/srv/wikis");
    env.put("WIKIFARM_OAUTH_DIR", "/srv/oauth");
    env.put("WIKIFARM_TEMPLATE", "/srv/template");
    env.put("WIKI_ROOT_HOST", "wiki.example.org");
    env.put("WIKI_DB_ADMIN_USER", "root");
    env.put("WIKI_DB_ADMIN_PASSWORD", "admin-Secret-2");
    env.put("WIKI_SHARED_DB_NAME", "shared");
    env.put("WIKIFARM_EXECUTOR", "local");
    return env;
  }

  private ConfigLoader.Loaded load(Map<String, String> env, String... args) throws Exception {
    return ConfigLoader.loadWithSources(env, ConfigLoader.parseCommandLine(List.of(args)));
  }

  @Test
  void typosInTheFileAndInSetAreProblemsWithTheNearestValidKey() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, """
        htp:
          bind: 127.0.0.1:9000
        worker:
          concurency: 4
          poll-interval: 1s
        farm:
          templates:
            science: /srv/templates/science
        database:
          pool-size: 4
        """);
    ConfigException e = assertThrows(ConfigException.class, () -> load(env(), "--conf", file.toString(),
        "--set", "nonsense.key=1", "--set", "http.pool-size=3", "--set", "redis.key-prefx=x:", "--set",
        "worker.concurrency=3"));
    assertEquals(List.of(
        "unknown section 'htp' in " + file + "; did you mean 'http'?",
        "unknown key 'worker.concurency' in " + file + "; did you mean 'worker.concurrency'?",
        "unknown section 'nonsense' in --set; the sections are http, database, redis, farm, wiki-db, opensearch, "
            + "oauth, executor, worker, sse, cluster, audit",
        "unknown key 'http.pool-size' in --set; did you mean 'database.pool-size'?",
        "unknown key 'redis.key-prefx' in --set; did you mean 'redis.key-prefix'?"), e.problems());
  }

  @Test
  void unknownKeysAreListedTogetherWithEveryOtherProblem() {
    Map<String, String> env = env();
    env.remove("WIKIFARM_DIR");
    env.put("WIKIFARM_INSTALL_COMMANDS", "php maintenance/update.php");
    env.put("WIKIFARM_WORKERS", "lots");
    ConfigException e = assertThrows(ConfigException.class, () -> load(env, "--set", "worker.lease=3s"));
    assertEquals(List.of(
        "unknown key 'worker.lease' in --set; did you mean 'worker.lease-ttl'?",
        "farm.wiki-dir (WIKIFARM_DIR) is required",
        "executor.install-commands (WIKIFARM_INSTALL_COMMANDS) must be a JSON array of argv arrays, "
            + "e.g. [[\"php\",\"maintenance/update.php\"]]",
        "worker.concurrency (WIKIFARM_WORKERS) must be a whole number; got 'lots'"), e.problems());
  }

  @Test
  void aSectionGivenAValueIsAProblemAndACommentedOutSectionIsNot() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "sse: 5\ncluster:\n  # enabled: true\n");
    ConfigException e = assertThrows(ConfigException.class, () -> load(env(), "--conf", file.toString()));
    assertEquals(List.of("'sse'" + " in " + file + " is a section, not a value: set its keys, e.g. sse.heartbeat",
        "sse.heartbeat must be a duration such as 200ms, 30s, 5m, 1h or 1d; got 'null'",
        "sse.throttle must be a duration such as 200ms, 30s, 5m, 1h or 1d; got 'null'"), e.problems());
  }

  @Test
  void everySettingSaysWhichLayerSetItAndNoSecretIsShown() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, "worker:\n  concurrency: 3\nhttp:\n  api-token: tok-Secret-3\n");
    Map<String, String> env = env();
    env.put("REDIS_URL", "redis://:redis-Secret-4@redis.internal:6379");
    ConfigLoader.Loaded loaded = load(env, "--conf", file.toString(), "--bind", "127.0.0.1:9100");
    Map<String, Setting> byKey = new HashMap<>();
    loaded.settings().forEach(s -> byKey.put(s.key(), s));
    assertEquals(new Setting("http.bind", "BIND_ADDR", "127.0.0.1:9100", "flag"), byKey.get("http.bind"));
    assertEquals(new Setting("worker.concurrency", "WIKIFARM_WORKERS", "3", "file"), byKey.get("worker.concurrency"));
    assertEquals(new Setting("farm.wiki-dir", "WIKIFARM_DIR", "/srv/wikis", "env"), byKey.get("farm.wiki-dir"));
    assertEquals(new Setting("sse.heartbeat", "", "15s", "default"), byKey.get("sse.heartbeat"));
    assertEquals(new Setting("wiki-db.admin-address", "", "", "-"), byKey.get("wiki-db.admin-address"));
    assertEquals(new Setting("http.api-token", "PROVISIONER_API_TOKEN", "<redacted>", "file"),
        byKey.get("http.api-token"));
    assertEquals("mysql://svc:<redacted>@db.internal:3307/mediawiki", byKey.get("database.url").value());
    assertEquals("redis://:<redacted>@redis.internal:6379", byKey.get("redis.url").value());
    assertEquals("<redacted>", byKey.get("wiki-db.admin-password").value());
    String all = loaded.settings().toString();
    for (String secret : new String[] {"db-Secret-1", "admin-Secret-2", "tok-Secret-3", "redis-Secret-4"}) {
      assertTrue(!all.contains(secret), "leaks " + secret);
    }
    assertEquals(loaded.settings().size(), byKey.size(), "one row per key");
  }
}
