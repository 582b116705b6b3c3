package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
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
 * Turns the merged configuration tree into an {@link AppConfig}, one method per section. Every section is read
 * even after a problem, so one start-up error lists them all, in the order of {@link AppConfig}'s components.
 */
final class ConfigParser {

  private static final Pattern HOST_PORT = Pattern.compile("^\\[?([A-Za-z0-9.:_-]+?)]?:(\\d{1,5})$");
  static final Pattern IDENTIFIER = Pattern.compile("^[A-Za-z0-9_]{1,64}$");
  static final int DEFAULT_MYSQL_PORT = 3306;

  private final ConfigReader reader;

  private ConfigParser(JsonObject root) {
    this.reader = new ConfigReader(root);
  }

  /** A configuration without problems, and what check-config prints of it. */
  record Parsed(AppConfig config, List<Setting> settings) {}

  /**
   * Reads the merged layers. Unknown keys come first among the problems: a misspelt key often explains a
   * "required" problem further down.
   *
   * @throws ConfigException listing every problem found
   */
  static Parsed parse(ConfigLayers layers) {
    ConfigParser parser = new ConfigParser(layers.merged());
    AppConfig config = parser.parse();
    ConfigReader reader = parser.reader;
    List<String> problems = new ArrayList<>(layers.unknownKeys(reader.keysRead()));
    problems.addAll(reader.problems());
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new Parsed(config, layers.settings(reader.keysRead(), reader.secretKeys(), reader.urlKeys()));
  }

  /** Every section, even after a problem; the result holds stand-ins where a value was bad. */
  private AppConfig parse() {
    AppConfig.Http http = http();
    AppConfig.Database database = database();
    AppConfig.Redis redis = redis();
    AppConfig.Farm farm = farm();
    AppConfig.WikiDb wikiDb = wikiDb(database);
    AppConfig.OpenSearch openSearch = openSearch();
    AppConfig.OAuth oauth = oauth();
    AppConfig.Executor executor = executor();
    AppConfig.Worker worker = worker();
    AppConfig.Sse sse = sse();
    AppConfig.Cluster cluster = cluster();
    AppConfig.Audit audit = new AppConfig.Audit(absolute(reader.optionalPath("audit.file")));
    return new AppConfig(http, database, redis, farm, wikiDb, openSearch, oauth, executor, worker, sse, cluster,
        audit);
  }

  private static Path absolute(Path path) {
    return path == null ? null : path.toAbsolutePath().normalize();
  }

  private AppConfig.Http http() {
    String bind = reader.string("http.bind", true);
    String host = "127.0.0.1";
    int port = 8080;
    if (bind != null) {
      Matcher m = HOST_PORT.matcher(bind);
      if (!m.matches() || Integer.parseInt(m.group(2)) > 65535) {
        reader.problem(reader.label("http.bind") + " must be host:port, e.g. 127.0.0.1:8080; got '" + bind + "'");
      } else {
        host = m.group(1);
        port = Integer.parseInt(m.group(2));
      }
    }
    return new AppConfig.Http(host, port,
        reader.integer("http.body-limit", 1024, 16 * 1024 * 1024),
        reader.secret("http.api-token"),
        reader.enumValue("http.identity", Identity.class, Identity.BODY),
        reader.integer("http.create-rate-limit", 0, 1_000_000),
        reader.duration("http.create-rate-window"),
        reader.durationOrZero("http.read-cache-ttl"));
  }

  private AppConfig.Database database() {
    String url = reader.url("database.url", true);
    DatabaseUrl parsed = DatabaseUrl.FALLBACK;
    if (url != null) {
      try {
        parsed = DatabaseUrl.parse(url);
      } catch (IllegalArgumentException e) {
        // the URL carries a password: never echo it back
        reader.problem(reader.label("database.url") + " must look like mysql://user:password@host:3306/database");
      }
    }
    return new AppConfig.Database(parsed.host(), parsed.port(), parsed.name(), parsed.user(),
        Secret.of(parsed.password()),
        reader.integer("database.pool-size", 1, 256),
        reader.duration("database.idle-timeout"),
        reader.bool("database.verify-schema"),
        reader.duration("database.connect-timeout"));
  }

  /** The password of {@code redis://[user]:password@host…}, URL-decoded, or empty. */
  private static String passwordInRedisUrl(String url) {
    int scheme = url.indexOf("://") + 3;
    int at = url.indexOf('@', scheme);
    int slash = url.indexOf('/', scheme);
    if (at < 0 || (slash >= 0 && slash < at)) {
      return "";
    }
    String userInfo = url.substring(scheme, at);
    int colon = userInfo.indexOf(':');
    try {
      return colon < 0 ? "" : java.net.URLDecoder.decode(userInfo.substring(colon + 1).replace("+", "%2B"),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException malformed) {
      return userInfo.substring(colon + 1);
    }
  }

  private AppConfig.Redis redis() {
    String server = reader.string("redis.server", true);
    Secret password = reader.secret("redis.password");
    String url = reader.url("redis.url", false);
    if (url == null || url.isEmpty()) {
      url = "redis://" + (password.isEmpty() ? ""
          : ":" + URLEncoder.encode(password.reveal(), StandardCharsets.UTF_8) + "@") + server;
    } else if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
      reader.problem(reader.label("redis.url") + " must start with redis:// or rediss://");
    } else if (password.isEmpty()) {
      // only the URL carries it: the wikis' pubwiki.ini and the redactor need it just the same
      password = Secret.of(passwordInRedisUrl(url));
    }
    return new AppConfig.Redis(Secret.of(url), server, password,
        reader.string("redis.key-prefix", true),
        reader.integer("redis.journal-max-events", 10, 1_000_000),
        reader.duration("redis.journal-retention"),
        reader.duration("redis.idempotency-ttl"));
  }

  private AppConfig.Farm farm() {
    Map<String, Path> templates = namedTemplates();
    Set<String> reserved = new LinkedHashSet<>();
    for (String s : reader.stringList("farm.reserved-slugs")) {
      reserved.add(s.toLowerCase(Locale.ROOT));
    }
    String scheme = reader.string("farm.url-scheme", true);
    if (scheme != null && !scheme.equals("http") && !scheme.equals("https")) {
      reader.problem("farm.url-scheme must be http or https");
    }
    String rootHost = reader.string("farm.root-host", true);
    if (rootHost != null && !rootHost.matches("^[A-Za-z0-9.-]+(:\\d+)?$")) {
      reader.problem(reader.label("farm.root-host") + " must be a host name such as wiki.example.org");
    }
    Path wikiDir = reader.requiredPath("farm.wiki-dir");
    Path configDir = reader.optionalPath("farm.config-dir");
    Path archiveDir = reader.optionalPath("farm.archive-dir");
    return new AppConfig.Farm(wikiDir, reader.requiredPath("farm.oauth-dir"),
        reader.requiredPath("farm.template"), Map.copyOf(templates), rootHost, scheme,
        reader.string("farm.default-language", true), Set.copyOf(reserved),
        configDir == null ? wikiDir : configDir.toAbsolutePath().normalize(), verifyUrl(),
        reader.duration("farm.verify-timeout"), archiveDir == null ? null : archiveDir.toAbsolutePath().normalize());
  }

  /** {@code farm.verify-url}: the farm web server's http(s)://host[:port], no path (phase 9 adds it); or null. */
  private String verifyUrl() {
    String url = reader.string("farm.verify-url", false);
    if (url == null || url.isEmpty()) {
      return null;
    }
    if (!url.matches("^https?://[A-Za-z0-9.\\[\\]:-]+/?$")) {
      reader.problem(reader.label("farm.verify-url") + " must be the farm web server's base URL, e.g. "
          + "http://farm-web:80 (scheme, host, optional port; no path or credentials)");
      return null;
    }
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** {@code farm.templates}: the templates a request may pick by name, besides the default one. */
  private Map<String, Path> namedTemplates() {
    Map<String, Path> templates = new LinkedHashMap<>();
    JsonObject json = reader.object("farm.templates");
    if (json == null) {
      return templates;
    }
    for (String name : json.fieldNames()) {
      Object value = json.getValue(name);
      if (!name.matches("^[a-z0-9][a-z0-9_-]{0,63}$")) {
        reader.problem("farm.templates: template name '" + name + "' must match [a-z0-9][a-z0-9_-]*");
      } else if (!(value instanceof String s) || s.isBlank()) {
        reader.problem("farm.templates." + name + " must be a directory path");
      } else {
        templates.put(name, Path.of(s));
      }
    }
    return templates;
  }

  /** The wiki database server and its admin account; the server defaults to the metadata database's. */
  private AppConfig.WikiDb wikiDb(AppConfig.Database database) {
    String host = reader.string("wiki-db.host", false);
    if (host == null || host.isEmpty()) {
      host = database.host() + (database.port() == DEFAULT_MYSQL_PORT ? "" : ":" + database.port());
    }
    String adminAddress = reader.string("wiki-db.admin-address", false);
    if (adminAddress == null || adminAddress.isEmpty()) {
      adminAddress = host;
    }
    List<String> sharedTables = reader.stringList("wiki-db.shared-tables");
    for (String t : sharedTables) {
      if (!IDENTIFIER.matcher(t).matches()) {
        reader.problem("wiki-db.shared-tables: '" + t + "' is not a plain table name");
      }
    }
    String sharedDb = reader.string("wiki-db.shared-db-name", true);
    if (sharedDb != null && !IDENTIFIER.matcher(sharedDb).matches()) {
      reader.problem(reader.label("wiki-db.shared-db-name") + " must be a plain database name [A-Za-z0-9_]");
    }
    String namePrefix = reader.string("wiki-db.name-prefix", true);
    if (namePrefix != null && !namePrefix.matches("^[a-z][a-z0-9_]{0,15}$")) {
      reader.problem("wiki-db.name-prefix must match [a-z][a-z0-9_]{0,15}");
    }
    return new AppConfig.WikiDb(host, adminAddress,
        reader.string("wiki-db.admin-user", true),
        reader.secret("wiki-db.admin-password"),
        sharedDb, List.copyOf(sharedTables), namePrefix);
  }

  private AppConfig.OpenSearch openSearch() {
    return new AppConfig.OpenSearch(
        reader.string("opensearch.user", false),
        reader.secret("opensearch.password"),
        reader.string("opensearch.endpoint", false));
  }

  private AppConfig.OAuth oauth() {
    return new AppConfig.OAuth(
        reader.integer("oauth.key-bits", 2048, 8192),
        reader.enumValue("oauth.cert-format", CertFormat.class, CertFormat.SPKI),
        reader.string("oauth.owner", false),
        reader.string("oauth.group", false),
        reader.integer("oauth.spare-keys", 0, 16));
  }

  private AppConfig.Executor executor() {
    ExecutorType type = reader.enumValue("executor.type", ExecutorType.class, ExecutorType.DOCKER);
    String instance = reader.string("executor.instance", false);
    String endpoint = reader.string("executor.portainer-endpoint", false);
    Secret apiKey = reader.secret("executor.portainer-api-key");
    if (type != ExecutorType.LOCAL && (instance == null || instance.isEmpty())) {
      reader.problem(reader.label("executor.instance") + " is required for the "
          + type.name().toLowerCase(Locale.ROOT) + " executor: the name or id of the wikifarm container");
    }
    if (type == ExecutorType.PORTAINER) {
      if (endpoint == null || !endpoint.matches("^https?://.+/api/endpoints/\\d+/docker/?$")) {
        reader.problem(reader.label("executor.portainer-endpoint") + " must be Portainer's Docker proxy URL, "
            + "e.g. https://portainer.example.org/api/endpoints/1/docker");
      }
      if (apiKey.isEmpty()) {
        reader.problem(reader.label("executor.portainer-api-key") + " is required for the portainer executor");
      }
    }
    Path containerWikiDir = reader.optionalPath("executor.container-wiki-dir");
    return new AppConfig.Executor(type, instance, reader.string("executor.docker-host", false),
        endpoint, apiKey, containerWikiDir, reader.string("executor.user", false),
        reader.commands("executor.install-commands"),
        reader.commands("executor.index-cfg-commands"),
        reader.commands("executor.index-commands"),
        reader.duration("executor.command-timeout"),
        commandEnv());
  }

  /**
   * The service's variables passed through to commands (WIKIFARM_COMMAND_ENV). The service's own secrets can
   * never be among them: that is what the explicit command environment exists to prevent.
   */
  private List<String> commandEnv() {
    List<String> names = reader.stringList("executor.command-env");
    for (String name : names) {
      if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
        reader.problem(reader.label("executor.command-env") + ": '" + name + "' is not an environment variable name");
      } else if (EnvironmentVariables.isSecret(name)) {
        reader.problem(reader.label("executor.command-env") + ": " + name + " is one of the service's secrets and is "
            + "never passed to commands");
      }
    }
    return names;
  }

  private AppConfig.Worker worker() {
    return new AppConfig.Worker(
        reader.bool("worker.enabled"),
        reader.integer("worker.concurrency", 1, 64),
        reader.duration("worker.lease-ttl"),
        reader.duration("worker.poll-interval"),
        reader.duration("worker.transient-retry"));
  }

  private AppConfig.Sse sse() {
    return new AppConfig.Sse(reader.duration("sse.heartbeat"), reader.duration("sse.throttle"));
  }

  private AppConfig.Cluster cluster() {
    List<String> members = reader.stringList("cluster.members");
    for (String member : members) {
      if (!HOST_PORT.matcher(member).matches()) {
        reader.problem(reader.label("cluster.members") + ": '" + member + "' is not host:port");
      }
    }
    AppConfig.Cluster cluster = new AppConfig.Cluster(
        reader.bool("cluster.enabled"),
        reader.string("cluster.name", true),
        reader.string("cluster.host", true),
        reader.integer("cluster.port", 1, 65535),
        reader.integer("cluster.bus-port", 0, 65535),
        reader.string("cluster.public-host", false),
        List.copyOf(members),
        reader.integer("cluster.min-members", 1, 1000));
    if (cluster.enabled() && cluster.publicHost().isBlank()
        && (cluster.host().equals("0.0.0.0") || cluster.host().equals("::") || cluster.host().equals("[::]"))) {
      reader.problem(reader.label("cluster.public-host") + " is required when cluster.host binds every "
          + "interface (" + cluster.host() + "): the other nodes need an address to reach this one");
    }
    if (cluster.enabled() && cluster.port() == cluster.busPort()) {
      reader.problem(reader.label("cluster.bus-port") + " must differ from " + reader.label("cluster.port") + "; "
          + "both are " + cluster.port() + " (Hazelcast and the event bus each need their own port)");
    }
    return cluster;
  }
}
