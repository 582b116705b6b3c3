package org.wikifarm.provisioner.config;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the configuration in layers, lowest first: built-in defaults, the YAML file ({@code conf/config.yaml}
 * or {@code --conf FILE}), environment variables, command-line flags. The stores are declared explicitly and
 * in that order because ConfigRetriever's default order would let the file override the environment.
 */
public final class ConfigLoader {

  /** Environment variable → config path. Names from the seeds are kept exactly. */
  static final Map<String, String> ENV_PATHS = new LinkedHashMap<>();

  static {
    ENV_PATHS.put("DATABASE_URL", "database.url");
    ENV_PATHS.put("BIND_ADDR", "http.bind");
    ENV_PATHS.put("PROVISIONER_API_TOKEN", "http.api-token");
    ENV_PATHS.put("WIKIFARM_IDENTITY", "http.identity");
    ENV_PATHS.put("REDIS_URL", "redis.url");
    ENV_PATHS.put("REDIS_SERVER", "redis.server");
    ENV_PATHS.put("REDIS_PASSWORD", "redis.password");
    ENV_PATHS.put("WIKIFARM_DIR", "farm.wiki-dir");
    ENV_PATHS.put("WIKIFARM_OAUTH_DIR", "farm.oauth-dir");
    ENV_PATHS.put("WIKIFARM_TEMPLATE", "farm.template");
    ENV_PATHS.put("WIKI_ROOT_HOST", "farm.root-host");
    ENV_PATHS.put("WIKI_DB_HOST", "wiki-db.host");
    ENV_PATHS.put("WIKI_DB_ADMIN_USER", "wiki-db.admin-user");
    ENV_PATHS.put("WIKI_DB_ADMIN_PASSWORD", "wiki-db.admin-password");
    ENV_PATHS.put("WIKI_SHARED_DB_NAME", "wiki-db.shared-db-name");
    ENV_PATHS.put("OPENSEARCH_USER", "opensearch.user");
    ENV_PATHS.put("OPENSEARCH_PASSWORD", "opensearch.password");
    ENV_PATHS.put("OPENSEARCH_ENDPOINT", "opensearch.endpoint");
    ENV_PATHS.put("WIKIFARM_EXECUTOR", "executor.type");
    ENV_PATHS.put("WIKIFARM_INSTANCE", "executor.instance");
    ENV_PATHS.put("DOCKER_HOST", "executor.docker-host");
    ENV_PATHS.put("PORTAINER_ENDPOINT", "executor.portainer-endpoint");
    ENV_PATHS.put("PORTAINER_API_KEY", "executor.portainer-api-key");
    ENV_PATHS.put("WIKIFARM_CONTAINER_WIKI_DIR", "executor.container-wiki-dir");
    ENV_PATHS.put("WIKIFARM_INSTALL_COMMANDS", "executor.install-commands");
    ENV_PATHS.put("WIKIFARM_INDEX_COMMANDS", "executor.index-commands");
    ENV_PATHS.put("WIKIFARM_WORKERS", "worker.concurrency");
    ENV_PATHS.put("WIKIFARM_CLUSTER", "cluster.enabled");
    ENV_PATHS.put("WIKIFARM_CLUSTER_NAME", "cluster.name");
    ENV_PATHS.put("WIKIFARM_CLUSTER_HOST", "cluster.host");
    ENV_PATHS.put("WIKIFARM_CLUSTER_PORT", "cluster.port");
    ENV_PATHS.put("WIKIFARM_CLUSTER_MEMBERS", "cluster.members");
    ENV_PATHS.put("WIKIFARM_CLUSTER_BUS_PORT", "cluster.bus-port");
    ENV_PATHS.put("WIKIFARM_CLUSTER_PUBLIC_HOST", "cluster.public-host");
    ENV_PATHS.put("WIKIFARM_CLUSTER_MIN_MEMBERS", "cluster.min-members");
  }

  /** Environment names whose values are JSON (argv lists) rather than plain strings. */
  private static final List<String> JSON_ENV = List.of("WIKIFARM_INSTALL_COMMANDS", "WIKIFARM_INDEX_COMMANDS");

  private ConfigLoader() {}

  /** The parsed command line: which file to read and the flag overrides. */
  public record CommandLine(Path confFile, boolean confFileExplicit, JsonObject overrides, List<String> rest) {}

  /**
   * Reads flags that set configuration: {@code --conf FILE}, {@code --bind HOST:PORT}, {@code --workers N},
   * {@code --cluster}, and the general {@code --set path.to.key=value}. Anything else is returned in
   * {@code rest} for the caller (sub-commands).
   */
  public static CommandLine parseCommandLine(List<String> args) {
    Path conf = Path.of("conf", "config.yaml");
    boolean explicit = false;
    JsonObject overrides = new JsonObject();
    List<String> rest = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      String flag = arg.contains("=") && arg.startsWith("--") && !arg.startsWith("--set") ? arg.substring(0, arg.indexOf('=')) : arg;
      String inlineValue = flag.equals(arg) ? null : arg.substring(arg.indexOf('=') + 1);
      switch (flag) {
        case "--conf", "--bind", "--workers", "--set" -> {
          String value = inlineValue;
          if (value == null) {
            if (i + 1 >= args.size()) {
              problems.add(flag + " needs a value");
              continue;
            }
            value = args.get(++i);
          }
          switch (flag) {
            case "--conf" -> {
              conf = Path.of(value);
              explicit = true;
            }
            case "--bind" -> put(overrides, "http.bind", value);
            case "--workers" -> put(overrides, "worker.concurrency", value);
            default -> {
              int eq = value.indexOf('=');
              if (eq <= 0) {
                problems.add("--set expects path.to.key=value, got '" + value + "'");
              } else {
                put(overrides, value.substring(0, eq), value.substring(eq + 1));
              }
            }
          }
        }
        case "--cluster" -> put(overrides, "cluster.enabled", "true");
        default -> {
          if (arg.startsWith("--set=")) {
            String value = arg.substring("--set=".length());
            int eq = value.indexOf('=');
            if (eq <= 0) {
              problems.add("--set expects path.to.key=value, got '" + value + "'");
            } else {
              put(overrides, value.substring(0, eq), value.substring(eq + 1));
            }
          } else {
            rest.add(arg);
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new CommandLine(conf, explicit, overrides, rest);
  }

  /** Maps the environment onto config paths; unknown variables are ignored, empty ones count as unset. */
  public static JsonObject fromEnvironment(Map<String, String> env) {
    JsonObject json = new JsonObject();
    List<String> problems = new ArrayList<>();
    ENV_PATHS.forEach((name, path) -> {
      String value = env.get(name);
      if (value == null || value.isEmpty()) {
        return;
      }
      if (JSON_ENV.contains(name)) {
        try {
          put(json, path, new JsonArray(value));
        } catch (RuntimeException e) {
          problems.add(name + " must be a JSON array of argv arrays, e.g. [[\"php\",\"maintenance/update.php\"]]");
        }
      } else {
        put(json, path, value);
      }
    });
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return json;
  }

  /** Loads, merges and validates every layer. Fails with a {@link ConfigException} listing all problems. */
  public static Future<AppConfig> load(Vertx vertx, Map<String, String> env, CommandLine commandLine) {
    JsonObject envJson;
    try {
      envJson = fromEnvironment(env);
    } catch (ConfigException e) {
      return Future.failedFuture(e);
    }
    if (commandLine.confFileExplicit() && !Files.isRegularFile(commandLine.confFile())) {
      return Future.failedFuture(new ConfigException(List.of(
          "config file " + commandLine.confFile() + " (from --conf) does not exist or is not a file")));
    }
    ConfigRetrieverOptions options = new ConfigRetrieverOptions()
        .setIncludeDefaultStores(false)
        .setScanPeriod(-1)
        .addStore(new ConfigStoreOptions()
            .setType("file")
            .setFormat("yaml")
            .setOptional(!commandLine.confFileExplicit())
            .setConfig(new JsonObject().put("path", commandLine.confFile().toString())))
        .addStore(json(envJson))
        .addStore(json(commandLine.overrides()));
    ConfigRetriever retriever = ConfigRetriever.create(vertx, options);
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(e -> Future.failedFuture(e instanceof ConfigException ? e
            : new ConfigException(List.of("cannot read " + commandLine.confFile() + ": " + e.getMessage()))))
        .compose(merged -> {
          try {
            // defaults go under the merged layers here rather than as a store: a YAML section whose keys are
            // all commented out reads as null and would otherwise wipe the defaults beneath it
            return Future.succeededFuture(ConfigParser.parse(ConfigParser.defaults().mergeIn(withoutNulls(merged), true)));
          } catch (ConfigException e) {
            return Future.failedFuture(e);
          }
        });
  }

  /** Every environment variable the service reads. */
  public static java.util.Set<String> environmentNames() {
    return java.util.Set.copyOf(ENV_PATHS.keySet());
  }

  /** Built-in defaults deep-merged with {@code overrides}, validated; no file or environment involved. */
  public static AppConfig fromJson(JsonObject overrides) {
    return ConfigParser.parse(ConfigParser.defaults().mergeIn(withoutNulls(overrides), true));
  }

  private static ConfigStoreOptions json(JsonObject config) {
    return new ConfigStoreOptions().setType("json").setConfig(config);
  }

  static JsonObject withoutNulls(JsonObject json) {
    JsonObject out = new JsonObject();
    json.forEach(e -> {
      if (e.getValue() instanceof JsonObject child) {
        out.put(e.getKey(), withoutNulls(child));
      } else if (e.getValue() != null) {
        out.put(e.getKey(), e.getValue());
      }
    });
    return out;
  }

  /** Sets {@code a.b.c} in a nested JSON object, creating the intermediate objects. */
  static void put(JsonObject root, String path, Object value) {
    String[] parts = path.split("\\.");
    JsonObject node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonObject child = node.getJsonObject(parts[i]);
      if (child == null) {
        child = new JsonObject();
        node.put(parts[i], child);
      }
      node = child;
    }
    node.put(parts[parts.length - 1], value);
  }
}
