package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig.CertFormat;
import org.wikifarm.provisioner.config.AppConfig.ExecutorType;
import org.wikifarm.provisioner.config.AppConfig.Identity;

/**
 * Turns the merged JSON into an {@link AppConfig}. Every value is checked and every problem is collected, so
 * one start-up error lists all of them. Values may arrive typed (YAML) or as strings (environment, flags).
 */
final class ConfigParser {

  static final List<List<String>> DEFAULT_INSTALL_COMMANDS = List.of(
      List.of("php", "maintenance/run", "installPreConfigured"),
      List.of("php", "extensions/CirrusSearch/maintenance/UpdateSearchIndexConfig.php"));
  static final List<List<String>> DEFAULT_INDEX_COMMANDS = List.of(
      List.of("php", "extensions/CirrusSearch/maintenance/ForceSearchIndex.php", "--skipLinks", "--indexOnSkip"),
      List.of("php", "extensions/CirrusSearch/maintenance/ForceSearchIndex.php", "--skipParse"));

  private static final Pattern HOST_PORT = Pattern.compile("^\\[?([A-Za-z0-9.:_-]+?)]?:(\\d{1,5})$");
  private static final Pattern DURATION = Pattern.compile("^(\\d+)\\s*(ms|s|m|h|d)?$");
  private static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z0-9_]{1,64}$");

  private ConfigParser() {}

  static JsonObject defaults() {
    return new JsonObject()
        .put("http", new JsonObject().put("bind", "127.0.0.1:8080").put("body-limit", 65536)
            .put("api-token", "").put("identity", "body").put("create-rate-limit", 20).put("create-rate-window", "1h"))
        .put("database", new JsonObject().put("pool-size", 8).put("idle-timeout", "300s").put("verify-schema", true))
        .put("redis", new JsonObject().put("server", "127.0.0.1:6379").put("password", "")
            .put("key-prefix", "wikifarm:").put("journal-max-events", 1000).put("journal-retention", "1d")
            .put("idempotency-ttl", "1d"))
        .put("farm", new JsonObject().put("url-scheme", "https").put("default-language", "en")
            .put("templates", new JsonObject()).put("reserved-slugs", new JsonArray()))
        .put("wiki-db", new JsonObject()
            .put("shared-tables", new JsonArray().add("user").add("user_properties").add("actor"))
            .put("name-prefix", "wiki_").put("admin-password", ""))
        .put("opensearch", new JsonObject().put("user", "").put("password", "").put("endpoint", ""))
        .put("oauth", new JsonObject().put("key-bits", 2048).put("cert-format", "spki").put("owner", "").put("group", ""))
        .put("executor", new JsonObject().put("type", "docker").put("user", "www-data")
            .put("command-timeout", "30m")
            .put("install-commands", toJson(DEFAULT_INSTALL_COMMANDS))
            .put("index-commands", toJson(DEFAULT_INDEX_COMMANDS)))
        .put("worker", new JsonObject().put("enabled", true).put("concurrency", 2).put("lease-ttl", "30s").put("poll-interval", "5s")
            .put("max-attempts", 3))
        .put("sse", new JsonObject().put("heartbeat", "15s").put("throttle", "200ms"))
        .put("cluster", new JsonObject().put("enabled", false).put("name", "wikifarm").put("host", "127.0.0.1")
            .put("port", 5701).put("bus-port", 5801).put("public-host", "").put("members", new JsonArray())
            .put("min-members", 1));
  }

  static AppConfig parse(JsonObject root) {
    Reader r = new Reader(root);

    // --- http
    String bind = r.string("http.bind", "BIND_ADDR", true);
    String httpHost = "127.0.0.1";
    int httpPort = 8080;
    if (bind != null) {
      Matcher m = HOST_PORT.matcher(bind);
      if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
        r.problem("http.bind (BIND_ADDR) must be host:port, e.g. 127.0.0.1:8080; got '" + bind + "'");
      } else {
        httpHost = m.group(1);
        httpPort = Integer.parseInt(m.group(2));
      }
    }
    AppConfig.Http http = new AppConfig.Http(httpHost, httpPort,
        r.integer("http.body-limit", null, 1024, 16 * 1024 * 1024),
        Secret.of(r.string("http.api-token", "PROVISIONER_API_TOKEN", false)),
        r.enumValue("http.identity", "WIKIFARM_IDENTITY", Identity.class, Identity.BODY),
        r.integer("http.create-rate-limit", null, 0, 1_000_000), r.duration("http.create-rate-window", null));

    // --- metadata database
    AppConfig.Database database = parseDatabase(r);

    // --- redis
    String redisServer = r.string("redis.server", "REDIS_SERVER", true);
    Secret redisPassword = Secret.of(r.string("redis.password", "REDIS_PASSWORD", false));
    String redisUrl = r.string("redis.url", "REDIS_URL", false);
    if (redisUrl == null || redisUrl.isEmpty()) {
      redisUrl = "redis://" + (redisPassword.isEmpty() ? ""
          : ":" + java.net.URLEncoder.encode(redisPassword.reveal(), StandardCharsets.UTF_8) + "@") + redisServer;
    } else if (!redisUrl.startsWith("redis://") && !redisUrl.startsWith("rediss://")) {
      r.problem("redis.url (REDIS_URL) must start with redis:// or rediss://");
    }
    String prefix = r.string("redis.key-prefix", null, true);
    AppConfig.Redis redis = new AppConfig.Redis(Secret.of(redisUrl), redisServer, redisPassword,
        prefix == null ? "wikifarm:" : prefix,
        r.integer("redis.journal-max-events", null, 10, 1_000_000),
        r.duration("redis.journal-retention", null), r.duration("redis.idempotency-ttl", null));

    // --- farm
    Map<String, Path> templates = new LinkedHashMap<>();
    JsonObject templatesJson = r.object("farm.templates");
    if (templatesJson != null) {
      for (String name : templatesJson.fieldNames()) {
        Object value = templatesJson.getValue(name);
        if (!name.matches("^[a-z0-9][a-z0-9_-]{0,63}$")) {
          r.problem("farm.templates: template name '" + name + "' must match [a-z0-9][a-z0-9_-]*");
        } else if (!(value instanceof String s) || s.isBlank()) {
          r.problem("farm.templates." + name + " must be a directory path");
        } else {
          templates.put(name, Path.of(s));
        }
      }
    }
    Set<String> reserved = new LinkedHashSet<>();
    for (String s : r.stringList("farm.reserved-slugs", null)) {
      reserved.add(s.toLowerCase(Locale.ROOT));
    }
    String scheme = r.string("farm.url-scheme", null, true);
    if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
      r.problem("farm.url-scheme must be http or https");
    }
    String rootHost = r.string("farm.root-host", "WIKI_ROOT_HOST", true);
    if (rootHost != null && !rootHost.matches("^[A-Za-z0-9.-]+(:\\d+)?$")) {
      r.problem("farm.root-host (WIKI_ROOT_HOST) must be a host name such as wiki.example.org");
    }
    AppConfig.Farm farm = new AppConfig.Farm(
        r.path("farm.wiki-dir", "WIKIFARM_DIR"), r.path("farm.oauth-dir", "WIKIFARM_OAUTH_DIR"),
        r.path("farm.template", "WIKIFARM_TEMPLATE"), Map.copyOf(templates), rootHost, scheme,
        r.string("farm.default-language", null, true), Set.copyOf(reserved));

    // --- wiki database server + admin account
    String wikiDbHost = r.string("wiki-db.host", "WIKI_DB_HOST", false);
    if (wikiDbHost == null || wikiDbHost.isEmpty()) {
      wikiDbHost = database.host() + (database.port() == 3306 ? "" : ":" + database.port());
    }
    String adminAddress = r.string("wiki-db.admin-address", null, false);
    if (adminAddress == null || adminAddress.isEmpty()) {
      adminAddress = wikiDbHost;
    }
    List<String> sharedTables = r.stringList("wiki-db.shared-tables", null);
    for (String t : sharedTables) {
      if (!IDENTIFIER.matcher(t).matches()) {
        r.problem("wiki-db.shared-tables: '" + t + "' is not a plain table name");
      }
    }
    String sharedDb = r.string("wiki-db.shared-db-name", "WIKI_SHARED_DB_NAME", true);
    if (sharedDb != null && !IDENTIFIER.matcher(sharedDb).matches()) {
      r.problem("wiki-db.shared-db-name (WIKI_SHARED_DB_NAME) must be a plain database name [A-Za-z0-9_]");
    }
    String namePrefix = r.string("wiki-db.name-prefix", null, true);
    if (namePrefix != null && !namePrefix.matches("^[a-z][a-z0-9_]{0,15}$")) {
      r.problem("wiki-db.name-prefix must match [a-z][a-z0-9_]{0,15}");
    }
    AppConfig.WikiDb wikiDb = new AppConfig.WikiDb(wikiDbHost, adminAddress,
        r.string("wiki-db.admin-user", "WIKI_DB_ADMIN_USER", true),
        Secret.of(r.string("wiki-db.admin-password", "WIKI_DB_ADMIN_PASSWORD", false)),
        sharedDb, List.copyOf(sharedTables), namePrefix);

    AppConfig.OpenSearch openSearch = new AppConfig.OpenSearch(
        r.string("opensearch.user", "OPENSEARCH_USER", false),
        Secret.of(r.string("opensearch.password", "OPENSEARCH_PASSWORD", false)),
        r.string("opensearch.endpoint", "OPENSEARCH_ENDPOINT", false));

    int keyBits = r.integer("oauth.key-bits", null, 2048, 8192);
    AppConfig.OAuth oauth = new AppConfig.OAuth(keyBits,
        r.enumValue("oauth.cert-format", null, CertFormat.class, CertFormat.SPKI),
        r.string("oauth.owner", null, false), r.string("oauth.group", null, false));

    AppConfig.Executor executor = parseExecutor(r);

    AppConfig.Worker worker = new AppConfig.Worker(r.bool("worker.enabled", null),
        r.integer("worker.concurrency", "WIKIFARM_WORKERS", 1, 64), r.duration("worker.lease-ttl", null),
        r.duration("worker.poll-interval", null), r.integer("worker.max-attempts", null, 1, 100));
    AppConfig.Sse sse = new AppConfig.Sse(r.duration("sse.heartbeat", null), r.duration("sse.throttle", null));

    List<String> members = r.stringList("cluster.members", "WIKIFARM_CLUSTER_MEMBERS");
    for (String member : members) {
      if (!HOST_PORT.matcher(member).matches()) {
        r.problem("cluster.members (WIKIFARM_CLUSTER_MEMBERS): '" + member + "' is not host:port");
      }
    }
    AppConfig.Cluster cluster = new AppConfig.Cluster(
        r.bool("cluster.enabled", "WIKIFARM_CLUSTER"), r.string("cluster.name", "WIKIFARM_CLUSTER_NAME", true),
        r.string("cluster.host", "WIKIFARM_CLUSTER_HOST", true),
        r.integer("cluster.port", "WIKIFARM_CLUSTER_PORT", 1, 65535),
        r.integer("cluster.bus-port", "WIKIFARM_CLUSTER_BUS_PORT", 0, 65535),
        r.string("cluster.public-host", "WIKIFARM_CLUSTER_PUBLIC_HOST", false), List.copyOf(members),
        r.integer("cluster.min-members", "WIKIFARM_CLUSTER_MIN_MEMBERS", 1, 1000));
    if (cluster.enabled() && cluster.publicHost().isBlank()
        && (cluster.host().equals("0.0.0.0") || cluster.host().equals("::") || cluster.host().equals("[::]"))) {
      r.problem("cluster.public-host (WIKIFARM_CLUSTER_PUBLIC_HOST) is required when cluster.host binds every "
          + "interface (" + cluster.host() + "): the other nodes need an address to reach this one");
    }
    if (cluster.enabled() && cluster.port() == cluster.busPort()) {
      r.problem("cluster.bus-port (WIKIFARM_CLUSTER_BUS_PORT) must differ from cluster.port (WIKIFARM_CLUSTER_PORT); "
          + "both are " + cluster.port() + " (Hazelcast and the event bus each need their own port)");
    }

    if (!r.problems.isEmpty()) {
      throw new ConfigException(r.problems);
    }
    return new AppConfig(http, database, redis, farm, wikiDb, openSearch, oauth, executor, worker, sse, cluster);
  }

  private static AppConfig.Database parseDatabase(Reader r) {
    String url = r.string("database.url", "DATABASE_URL", true);
    String host = "127.0.0.1";
    int port = 3306;
    String name = "mediawiki";
    String user = "";
    String password = "";
    if (url != null) {
      try {
        URI uri = URI.create(url);
        if (!"mysql".equals(uri.getScheme()) && !"mariadb".equals(uri.getScheme())) {
          throw new IllegalArgumentException("scheme");
        }
        if (uri.getHost() == null) {
          throw new IllegalArgumentException("host");
        }
        host = uri.getHost();
        port = uri.getPort() == -1 ? 3306 : uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        if (path.isEmpty() || !IDENTIFIER.matcher(path).matches()) {
          throw new IllegalArgumentException("database");
        }
        name = path;
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
          int colon = userInfo.indexOf(':');
          user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
          password = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
        }
        if (user.isEmpty()) {
          throw new IllegalArgumentException("user");
        }
      } catch (IllegalArgumentException e) {
        // the URL carries a password: never echo it back
        r.problem("database.url (DATABASE_URL) must look like mysql://user:password@host:3306/database");
      }
    }
    return new AppConfig.Database(host, port, name, user, Secret.of(password),
        r.integer("database.pool-size", null, 1, 256), r.duration("database.idle-timeout", null),
        r.bool("database.verify-schema", null));
  }

  private static AppConfig.Executor parseExecutor(Reader r) {
    ExecutorType type = r.enumValue("executor.type", "WIKIFARM_EXECUTOR", ExecutorType.class, ExecutorType.DOCKER);
    String instance = r.string("executor.instance", "WIKIFARM_INSTANCE", false);
    String endpoint = r.string("executor.portainer-endpoint", "PORTAINER_ENDPOINT", false);
    Secret apiKey = Secret.of(r.string("executor.portainer-api-key", "PORTAINER_API_KEY", false));
    if (type != ExecutorType.LOCAL && (instance == null || instance.isEmpty())) {
      r.problem("executor.instance (WIKIFARM_INSTANCE) is required for the " + type.name().toLowerCase(Locale.ROOT)
          + " executor: the name or id of the wikifarm container");
    }
    if (type == ExecutorType.PORTAINER) {
      if (endpoint == null || !endpoint.matches("^https?://.+/api/endpoints/\\d+/docker/?$")) {
        r.problem("executor.portainer-endpoint (PORTAINER_ENDPOINT) must be Portainer's Docker proxy URL, "
            + "e.g. https://portainer.example.org/api/endpoints/1/docker");
      }
      if (apiKey.isEmpty()) {
        r.problem("executor.portainer-api-key (PORTAINER_API_KEY) is required for the portainer executor");
      }
    }
    Path containerDir = r.optionalPath("executor.container-wiki-dir", "WIKIFARM_CONTAINER_WIKI_DIR");
    return new AppConfig.Executor(type, instance, r.string("executor.docker-host", "DOCKER_HOST", false),
        endpoint, apiKey, containerDir, r.string("executor.user", null, false),
        r.commands("executor.install-commands", "WIKIFARM_INSTALL_COMMANDS"),
        r.commands("executor.index-commands", "WIKIFARM_INDEX_COMMANDS"),
        r.duration("executor.command-timeout", null));
  }

  private static JsonArray toJson(List<List<String>> commands) {
    JsonArray array = new JsonArray();
    commands.forEach(c -> array.add(new JsonArray(new ArrayList<>(c))));
    return array;
  }

  /** Typed access to the merged JSON that records a problem instead of throwing. */
  private static final class Reader {
    final JsonObject root;
    final List<String> problems = new ArrayList<>();

    Reader(JsonObject root) {
      this.root = root;
    }

    void problem(String text) {
      problems.add(text);
    }

    Object raw(String path) {
      String[] parts = path.split("\\.");
      Object node = root;
      for (String part : parts) {
        if (!(node instanceof JsonObject obj)) {
          return null;
        }
        node = obj.getValue(part);
      }
      return node;
    }

    private static String label(String path, String env) {
      return env == null ? path : path + " (" + env + ")";
    }

    String string(String path, String env, boolean required) {
      Object v = raw(path);
      if (v == null || (v instanceof String s && s.isEmpty())) {
        if (required) {
          problem(label(path, env) + " is required");
        }
        return v == null ? null : "";
      }
      if (v instanceof JsonObject || v instanceof JsonArray) {
        problem(label(path, env) + " must be a single value");
        return null;
      }
      return v.toString().trim();
    }

    Path path(String path, String env) {
      String s = string(path, env, true);
      if (s == null || s.isEmpty()) {
        return null;
      }
      Path p = Path.of(s);
      if (!p.isAbsolute()) {
        p = p.toAbsolutePath().normalize();
      }
      return p;
    }

    Path optionalPath(String path, String env) {
      String s = string(path, env, false);
      return s == null || s.isEmpty() ? null : Path.of(s);
    }

    int integer(String path, String env, int min, int max) {
      Object v = raw(path);
      try {
        int value = v instanceof Number n ? n.intValue() : Integer.parseInt(String.valueOf(v).trim());
        if (value < min || value > max) {
          problem(label(path, env) + " must be between " + min + " and " + max + "; got " + value);
        }
        return value;
      } catch (NumberFormatException e) {
        problem(label(path, env) + " must be a whole number; got '" + v + "'");
        return min;
      }
    }

    boolean bool(String path, String env) {
      Object v = raw(path);
      if (v instanceof Boolean b) {
        return b;
      }
      String s = String.valueOf(v).trim().toLowerCase(Locale.ROOT);
      switch (s) {
        case "true", "1", "yes", "on" -> {
          return true;
        }
        case "false", "0", "no", "off", "", "null" -> {
          return false;
        }
        default -> {
          problem(label(path, env) + " must be true or false; got '" + v + "'");
          return false;
        }
      }
    }

    Duration duration(String path, String env) {
      Object v = raw(path);
      if (v instanceof Number n) {
        return Duration.ofSeconds(n.longValue());
      }
      Matcher m = v == null ? null : DURATION.matcher(v.toString().trim());
      if (m == null || !m.matches()) {
        problem(label(path, env) + " must be a duration such as 200ms, 30s, 5m, 1h or 1d; got '" + v + "'");
        return Duration.ofSeconds(1);
      }
      long amount = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      Duration d = switch (unit) {
        case "ms" -> Duration.ofMillis(amount);
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        case "d" -> Duration.ofDays(amount);
        default -> Duration.ofSeconds(amount);
      };
      if (d.isZero()) {
        problem(label(path, env) + " must be greater than zero");
      }
      return d;
    }

    <E extends Enum<E>> E enumValue(String path, String env, Class<E> type, E fallback) {
      String s = string(path, env, false);
      if (s == null || s.isEmpty()) {
        return fallback;
      }
      for (E e : type.getEnumConstants()) {
        if (e.name().equalsIgnoreCase(s)) {
          return e;
        }
      }
      List<String> allowed = new ArrayList<>();
      for (E e : type.getEnumConstants()) {
        allowed.add(e.name().toLowerCase(Locale.ROOT));
      }
      problem(label(path, env) + " must be one of " + String.join("|", allowed) + "; got '" + s + "'");
      return fallback;
    }

    JsonObject object(String path) {
      Object v = raw(path);
      if (v == null) {
        return null;
      }
      if (!(v instanceof JsonObject o)) {
        problem(path + " must be a mapping");
        return null;
      }
      return o;
    }

    /** A list given as a YAML list or as a comma-separated string (environment). */
    List<String> stringList(String path, String env) {
      Object v = raw(path);
      List<String> out = new ArrayList<>();
      if (v == null) {
        return out;
      }
      if (v instanceof JsonArray a) {
        for (Object o : a) {
          if (o != null && !o.toString().isBlank()) {
            out.add(o.toString().trim());
          }
        }
      } else {
        for (String s : v.toString().split(",")) {
          if (!s.isBlank()) {
            out.add(s.trim());
          }
        }
      }
      return out;
    }

    List<List<String>> commands(String path, String env) {
      Object v = raw(path);
      if (v instanceof String s) {
        try {
          v = new JsonArray(s);
        } catch (RuntimeException e) {
          problem(label(path, env) + " must be a JSON array of argv arrays");
          return List.of();
        }
      }
      if (!(v instanceof JsonArray array)) {
        problem(label(path, env) + " must be a list of commands, each a list of arguments");
        return List.of();
      }
      List<List<String>> commands = new ArrayList<>();
      for (Object entry : array) {
        if (!(entry instanceof JsonArray argv) || argv.isEmpty()) {
          problem(label(path, env) + " must be a list of non-empty argument lists, e.g. [[\"php\",\"maintenance/update.php\"]]");
          return List.of();
        }
        List<String> args = new ArrayList<>();
        for (Object a : argv) {
          if (!(a instanceof String s)) {
            problem(label(path, env) + ": every argument must be a string");
            return List.of();
          }
          args.add(s);
        }
        commands.add(List.copyOf(args));
      }
      return List.copyOf(commands);
    }
  }
}
