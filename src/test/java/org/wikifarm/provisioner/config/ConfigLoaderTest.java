package org.wikifarm.provisioner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layering (defaults < file < env < flags), env names from the seeds, all-problems validation, redaction. */
class ConfigLoaderTest {
  @TempDir Path dir;

  private Map<String, String> minimalEnv() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", "mysql://svc:p%40ss-Word@db.internal:3307/mediawiki");
    env.put("WIKIFARM_DIR", "/srv/wikis");
    env.put("WIKIFARM_OAUTH_DIR", "/srv/oauth");
    env.put("WIKIFARM_TEMPLATE", "/srv/template");
    env.put("WIKI_ROOT_HOST", "wiki.example.org");
    env.put("WIKI_DB_ADMIN_USER", "root");
    env.put("WIKI_DB_ADMIN_PASSWORD", "admin-pw-123");
    env.put("WIKI_SHARED_DB_NAME", "shared");
    env.put("WIKIFARM_INSTANCE", "wikifarm");
    return env;
  }

  private AppConfig load(Map<String, String> env, String... args) throws Exception {
    return ConfigLoader.load(env, ConfigLoader.parseCommandLine(List.of(args)));
  }

  @Test
  void seedEnvironmentNamesAreHonoured() throws Exception {
    Map<String, String> env = minimalEnv();
    env.put("BIND_ADDR", "0.0.0.0:8081");
    env.put("REDIS_SERVER", "redis.internal:6380");
    env.put("REDIS_PASSWORD", "redis-pw");
    env.put("WIKIFARM_EXECUTOR", "portainer");
    env.put("PORTAINER_ENDPOINT", "https://portainer.example.org/api/endpoints/3/docker");
    env.put("PORTAINER_API_KEY", "ptr_key");
    env.put("WIKIFARM_INSTALL_COMMANDS", "[[\"php\",\"maintenance/update.php\",\"--quick\"]]");
    env.put("WIKIFARM_INDEX_COMMANDS", "[]");
    env.put("WIKIFARM_WORKERS", "5");
    env.put("WIKIFARM_IDENTITY", "headers");
    env.put("WIKIFARM_CLUSTER", "true");
    env.put("WIKIFARM_CLUSTER_MEMBERS", "10.0.0.1:5701, 10.0.0.2:5701");
    AppConfig c = load(env);
    assertEquals("db.internal", c.database().host());
    assertEquals(3307, c.database().port());
    assertEquals("svc", c.database().user());
    assertEquals("p@ss-Word", c.database().password().reveal(), "URL-encoded password is decoded");
    assertEquals("0.0.0.0", c.http().host());
    assertEquals(8081, c.http().port());
    assertEquals("redis://:redis-pw@redis.internal:6380", c.redis().connectionString().reveal(),
        "REDIS_URL falls back to REDIS_SERVER + REDIS_PASSWORD");
    assertEquals(AppConfig.ExecutorType.PORTAINER, c.executor().type());
    assertEquals(List.of(List.of("php", "maintenance/update.php", "--quick")), c.executor().installCommands());
    assertEquals(List.of(), c.executor().indexCommands());
    assertEquals(5, c.worker().concurrency());
    assertEquals(AppConfig.Identity.HEADERS, c.http().identity());
    assertTrue(c.cluster().enabled());
    assertEquals(List.of("10.0.0.1:5701", "10.0.0.2:5701"), c.cluster().members());
    assertEquals("db.internal:3307", c.wikiDb().host(), "WIKI_DB_HOST defaults to the metadata DB server");
    assertEquals(List.of("user", "user_properties", "actor"), c.wikiDb().sharedTables());
  }

  @Test
  void environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws Exception {
    Path file = dir.resolve("config.yaml");
    Files.writeString(file, """
        http:
          bind: 127.0.0.1:9000
          body-limit: 4096
        farm:
          root-host: from-file.example
          default-language: de
        worker:
          concurrency: 3
        """);
    Map<String, String> env = minimalEnv();
    env.put("BIND_ADDR", "127.0.0.1:9100");
    AppConfig fromEnv = load(env, "--conf", file.toString());
    assertEquals(9100, fromEnv.http().port(), "env beats file");
    assertEquals("wiki.example.org", fromEnv.farm().rootHost(), "env beats file");
    assertEquals(4096, fromEnv.http().bodyLimitBytes(), "file beats defaults");
    assertEquals("de", fromEnv.farm().defaultLanguage());
    assertEquals(3, fromEnv.worker().concurrency());

    AppConfig fromFlags = load(env, "--conf", file.toString(), "--bind", "127.0.0.1:9200", "--workers=7",
        "--set", "farm.default-language=fr");
    assertEquals(9200, fromFlags.http().port(), "flags beat env");
    assertEquals(7, fromFlags.worker().concurrency());
    assertEquals("fr", fromFlags.farm().defaultLanguage());
  }

  @Test
  void invalidConfigurationListsEveryProblemAtOnce() {
    Map<String, String> env = new HashMap<>();
    env.put("BIND_ADDR", "nonsense");
    env.put("WIKIFARM_EXECUTOR", "ssh");
    env.put("WIKIFARM_WORKERS", "lots");
    env.put("WIKI_ROOT_HOST", "bad host!");
    env.put("DATABASE_URL", "postgres://u:topsecretpw@h/db");
    ConfigException e = assertThrows(ConfigException.class, () -> load(env));
    String text = String.join("\n", e.problems());
    for (String expected : new String[] {"BIND_ADDR", "WIKIFARM_EXECUTOR", "WIKIFARM_WORKERS", "WIKI_ROOT_HOST",
        "DATABASE_URL", "WIKIFARM_DIR", "WIKIFARM_OAUTH_DIR", "WIKIFARM_TEMPLATE", "WIKI_DB_ADMIN_USER",
        "WIKI_SHARED_DB_NAME"}) {
      assertTrue(text.contains(expected), "mentions " + expected + ":\n" + text);
    }
    assertTrue(e.problems().size() >= 10, text);
    assertFalse(e.getMessage().contains("topsecretpw"), "a bad URL's password is not echoed");
  }

  @Test
  void missingExplicitConfigFileAndBadJsonCommandsAreReported() {
    assertThrows(ConfigException.class, () -> load(minimalEnv(), "--conf", dir.resolve("absent.yaml").toString()));
    Map<String, String> env = minimalEnv();
    env.put("WIKIFARM_INSTALL_COMMANDS", "php maintenance/update.php");
    ConfigException e = assertThrows(ConfigException.class, () -> load(env));
    assertTrue(e.getMessage().contains("WIKIFARM_INSTALL_COMMANDS"), e.getMessage());
    Map<String, String> portainer = minimalEnv();
    portainer.put("WIKIFARM_EXECUTOR", "portainer");
    ConfigException p = assertThrows(ConfigException.class, () -> load(portainer));
    assertTrue(p.getMessage().contains("PORTAINER_ENDPOINT") && p.getMessage().contains("PORTAINER_API_KEY"), p.getMessage());
  }

  @Test
  void aFileThatIsNotAYamlMappingIsReportedWithItsName() throws Exception {
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "http:\n  bind: [127.0.0.1\n");
    ConfigException e = assertThrows(ConfigException.class, () -> load(minimalEnv(), "--conf", broken.toString()));
    assertTrue(e.getMessage().contains("cannot read " + broken) && e.getMessage().contains("not valid YAML"),
        e.getMessage());
    Path list = Files.writeString(dir.resolve("list.yaml"), "- http\n- database\n");
    e = assertThrows(ConfigException.class, () -> load(minimalEnv(), "--conf", list.toString()));
    assertTrue(e.getMessage().contains("must hold a mapping"), e.getMessage());
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "# nothing set\n");
    assertEquals(65536, load(minimalEnv(), "--conf", empty.toString()).http().bodyLimitBytes(), "empty: defaults");
  }

  @Test
  void secretsAreRedactedWhenTheConfigIsPrinted() throws Exception {
    Map<String, String> env = minimalEnv();
    env.put("PROVISIONER_API_TOKEN", "tok-very-secret");
    env.put("OPENSEARCH_PASSWORD", "os-very-secret");
    env.put("REDIS_PASSWORD", "redis-very-secret");
    String printed = load(env).toString();
    for (String secret : new String[] {"p@ss-Word", "admin-pw-123", "tok-very-secret", "os-very-secret", "redis-very-secret"}) {
      assertFalse(printed.contains(secret), "leaks " + secret + ": " + printed);
    }
    assertTrue(printed.contains("<redacted>"));
  }

  @Test
  void checkConfigCommandExitsTwoWithEveryProblemOnStderr() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = org.wikifarm.provisioner.cli.MainAccess.run(List.of("check-config", "--bind", "x"),
        new PrintStream(out), new PrintStream(err));
    assertEquals(2, code);
    assertTrue(err.toString().contains("http.bind (BIND_ADDR)"), err.toString());
    assertEquals(2, org.wikifarm.provisioner.cli.MainAccess.run(List.of("frobnicate"), new PrintStream(out),
        new PrintStream(err)));
  }
}
