package org.wikifarm.provisioner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The exact problem messages, all of them from one configuration with something wrong in every section: an
 * operator gets the whole list at once, in section order, each naming the key and, when one sets it, the
 * environment variable. Pinned word for word because operators and scripts match on them.
 */
class ConfigProblemsTest {

  private static JsonObject wrongEverywhere() {
    return new JsonObject()
        .put("http", new JsonObject().put("bind", "nonsense").put("body-limit", "x")
            .put("api-token", new JsonObject().put("a", 1)).put("identity", "x").put("create-rate-limit", -1)
            .put("create-rate-window", "0s"))
        .put("database", new JsonObject().put("url", "postgres://u:secretpw@h/db").put("pool-size", 0)
            .put("idle-timeout", "abc").put("verify-schema", "maybe"))
        .put("redis", new JsonObject().put("url", "http://x").put("key-prefix", "").put("journal-max-events", 5)
            .put("journal-retention", "1w").put("idempotency-ttl", new JsonArray().add(1)))
        .put("farm", new JsonObject()
            .put("templates", new JsonObject().put("Bad!", "/x").put("ok", 5).put("blank", " "))
            .put("url-scheme", "ftp").put("root-host", "bad host!").put("default-language", ""))
        .put("wiki-db", new JsonObject().put("shared-tables", new JsonArray().add("ok").add("bad-name"))
            .put("shared-db-name", "bad-db").put("name-prefix", "Wiki"))
        .put("opensearch", new JsonObject().put("user", new JsonArray()))
        .put("oauth", new JsonObject().put("key-bits", 100).put("cert-format", "pem").put("spare-keys", 17))
        .put("executor", new JsonObject().put("type", "portainer").put("portainer-endpoint", "http://x")
            .put("install-commands", "not json").put("index-commands", 5).put("command-timeout", "-1"))
        .put("worker", new JsonObject().put("enabled", "perhaps").put("concurrency", 100).put("lease-ttl", "1x")
            .put("transient-retry", "1.5"))
        .put("sse", new JsonObject().put("heartbeat", ""))
        .put("cluster", new JsonObject().put("enabled", true).put("host", "0.0.0.0").put("port", 5701)
            .put("bus-port", 5701).put("min-members", 0).put("members", "a:1,bad"));
  }

  @Test
  void everyProblemIsListedAtOnceWordForWord() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.fromJson(wrongEverywhere()));
    assertEquals(List.of(
        "http.bind (BIND_ADDR) must be host:port, e.g. 127.0.0.1:8080; got 'nonsense'",
        "http.body-limit must be a whole number; got 'x'",
        "http.api-token (PROVISIONER_API_TOKEN) must be a single value",
        "http.identity (WIKIFARM_IDENTITY) must be one of body|headers; got 'x'",
        "http.create-rate-limit must be between 0 and 1000000; got -1",
        "http.create-rate-window must be greater than zero",
        "database.url (DATABASE_URL) must look like mysql://user:password@host:3306/database",
        "database.pool-size must be between 1 and 256; got 0",
        "database.idle-timeout must be a duration such as 200ms, 30s, 5m, 1h or 1d; got 'abc'",
        "database.verify-schema must be true or false; got 'maybe'",
        "redis.url (REDIS_URL) must start with redis:// or rediss://",
        "redis.key-prefix is required",
        "redis.journal-max-events must be between 10 and 1000000; got 5",
        "redis.journal-retention must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '1w'",
        "redis.idempotency-ttl must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '[1]'",
        "farm.templates: template name 'Bad!' must match [a-z0-9][a-z0-9_-]*",
        "farm.templates.ok must be a directory path",
        "farm.templates.blank must be a directory path",
        "farm.url-scheme must be http or https",
        "farm.root-host (WIKI_ROOT_HOST) must be a host name such as wiki.example.org",
        "farm.wiki-dir (WIKIFARM_DIR) is required",
        "farm.oauth-dir (WIKIFARM_OAUTH_DIR) is required",
        "farm.template (WIKIFARM_TEMPLATE) is required",
        "farm.default-language is required",
        "wiki-db.shared-tables: 'bad-name' is not a plain table name",
        "wiki-db.shared-db-name (WIKI_SHARED_DB_NAME) must be a plain database name [A-Za-z0-9_]",
        "wiki-db.name-prefix must match [a-z][a-z0-9_]{0,15}",
        "wiki-db.admin-user (WIKI_DB_ADMIN_USER) is required",
        "opensearch.user (OPENSEARCH_USER) must be a single value",
        "oauth.key-bits must be between 2048 and 8192; got 100",
        "oauth.cert-format must be one of spki|x509; got 'pem'",
        "oauth.spare-keys must be between 0 and 16; got 17",
        "executor.instance (WIKIFARM_INSTANCE) is required for the portainer executor: "
            + "the name or id of the wikifarm container",
        "executor.portainer-endpoint (PORTAINER_ENDPOINT) must be Portainer's Docker proxy URL, "
            + "e.g. https://portainer.example.org/api/endpoints/1/docker",
        "executor.portainer-api-key (PORTAINER_API_KEY) is required for the portainer executor",
        "executor.install-commands (WIKIFARM_INSTALL_COMMANDS) must be a JSON array of argv arrays, "
            + "e.g. [[\"php\",\"maintenance/update.php\"]]",
        "executor.index-commands (WIKIFARM_INDEX_COMMANDS) must be a list of commands, "
            + "each a list of arguments",
        "executor.command-timeout must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '-1'",
        "worker.enabled must be true or false; got 'perhaps'",
        "worker.concurrency (WIKIFARM_WORKERS) must be between 1 and 64; got 100",
        "worker.lease-ttl must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '1x'",
        "worker.transient-retry must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '1.5'",
        "sse.heartbeat must be a duration such as 200ms, 30s, 5m, 1h or 1d; got ''",
        "cluster.members (WIKIFARM_CLUSTER_MEMBERS): 'bad' is not host:port",
        "cluster.min-members (WIKIFARM_CLUSTER_MIN_MEMBERS) must be between 1 and 1000; got 0",
        "cluster.public-host (WIKIFARM_CLUSTER_PUBLIC_HOST) is required when cluster.host binds every interface "
            + "(0.0.0.0): the other nodes need an address to reach this one",
        "cluster.bus-port (WIKIFARM_CLUSTER_BUS_PORT) must differ from cluster.port (WIKIFARM_CLUSTER_PORT); "
            + "both are 5701 (Hazelcast and the event bus each need their own port)"),
        e.problems());
  }

  @Test
  void badArgumentListsSayWhatIsWrong() {
    assertEquals(List.of("executor.install-commands (WIKIFARM_INSTALL_COMMANDS) must be a list of non-empty "
        + "argument lists, e.g. [[\"php\",\"maintenance/update.php\"]]"),
        problems(new JsonArray().add(new JsonArray())));
    assertEquals(List.of("executor.install-commands (WIKIFARM_INSTALL_COMMANDS): every argument must be a string"),
        problems(new JsonArray().add(new JsonArray().add(1))));
  }

  @Test
  void badJsonInTheEnvironmentIsOneProblemAmongTheOthers() {
    JsonObject json = new JsonObject().put("executor", new JsonObject().put("type", "local"))
        .mergeIn(ConfigLoader.fromEnvironment(Map.of("WIKIFARM_INSTALL_COMMANDS", "x",
            "WIKIFARM_INDEX_COMMANDS", "{}", "WIKIFARM_WORKERS", "lots")), true);
    String example = "[[\"php\",\"maintenance/update.php\"]]";
    List<String> problems = assertThrows(ConfigException.class, () -> ConfigLoader.fromJson(json)).problems();
    assertEquals(List.of(
        "database.url (DATABASE_URL) is required",
        "farm.root-host (WIKI_ROOT_HOST) is required",
        "farm.wiki-dir (WIKIFARM_DIR) is required",
        "farm.oauth-dir (WIKIFARM_OAUTH_DIR) is required",
        "farm.template (WIKIFARM_TEMPLATE) is required",
        "wiki-db.shared-db-name (WIKI_SHARED_DB_NAME) is required",
        "wiki-db.admin-user (WIKI_DB_ADMIN_USER) is required",
        "executor.install-commands (WIKIFARM_INSTALL_COMMANDS) must be a JSON array of argv arrays, e.g. " + example,
        "executor.index-commands (WIKIFARM_INDEX_COMMANDS) must be a JSON array of argv arrays, e.g. " + example,
        "worker.concurrency (WIKIFARM_WORKERS) must be a whole number; got 'lots'"), problems);
  }

  private static List<String> problems(JsonArray installCommands) {
    JsonObject json = new JsonObject()
        .put("database", new JsonObject().put("url", "mysql://u:p@127.0.0.1:3306/mediawiki"))
        .put("farm", new JsonObject().put("wiki-dir", "/srv/wikis").put("oauth-dir", "/srv/oauth")
            .put("template", "/srv/template").put("root-host", "wiki.test"))
        .put("wiki-db", new JsonObject().put("admin-user", "root").put("shared-db-name", "shared"))
        .put("executor", new JsonObject().put("type", "local").put("install-commands", installCommands));
    return assertThrows(ConfigException.class, () -> ConfigLoader.fromJson(json)).problems();
  }
}
