package org.wikifarm.provisioner.config;

import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the configuration in layers, lowest first: built-in defaults, the YAML file ({@code conf/config.yaml}
 * or {@code --conf FILE}), environment variables, command-line flags. The stores are declared explicitly and
 * in that order because ConfigRetriever's default order would let the file override the environment.
 */
public final class ConfigLoader {

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
      // --flag=value; not for --set=key=value, whose own '=' is handled below
      String flag = arg.contains("=") && arg.startsWith("--") && !arg.startsWith("--set")
          ? arg.substring(0, arg.indexOf('=')) : arg;
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
            case "--bind" -> ConfigTree.set(overrides, "http.bind", value);
            case "--workers" -> ConfigTree.set(overrides, "worker.concurrency", value);
            default -> setOverride(overrides, value, problems);
          }
        }
        case "--cluster" -> ConfigTree.set(overrides, "cluster.enabled", "true");
        default -> {
          if (arg.startsWith("--set=")) {
            setOverride(overrides, arg.substring("--set=".length()), problems);
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

  /** {@code --set path.to.key=value}; the value may itself contain '='. */
  private static void setOverride(JsonObject overrides, String assignment, List<String> problems) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      problems.add("--set expects path.to.key=value, got '" + assignment + "'");
    } else {
      ConfigTree.set(overrides, assignment.substring(0, eq), assignment.substring(eq + 1));
    }
  }

  /**
   * The command line's configuration flags as picocli (or any other parser) read them: {@code --set}
   * assignments are checked here so that every caller reports them the same way.
   *
   * @throws ConfigException listing every malformed {@code --set}
   */
  public static CommandLine commandLine(Path confFile, String bind, Integer workers, boolean cluster,
      List<String> assignments, List<String> rest) {
    JsonObject overrides = new JsonObject();
    List<String> problems = new ArrayList<>();
    if (bind != null) {
      ConfigTree.set(overrides, "http.bind", bind);
    }
    if (workers != null) {
      ConfigTree.set(overrides, "worker.concurrency", workers.toString());
    }
    if (cluster) {
      ConfigTree.set(overrides, "cluster.enabled", "true");
    }
    assignments.forEach(a -> setOverride(overrides, a, problems));
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new CommandLine(confFile == null ? Path.of("conf", "config.yaml") : confFile, confFile != null,
        overrides, List.copyOf(rest));
  }

  /** Maps the environment onto config paths; unknown variables are ignored, empty ones count as unset. */
  public static JsonObject fromEnvironment(Map<String, String> env) {
    return EnvironmentVariables.toConfig(env);
  }

  /** Loads, merges and validates every layer. Fails with a {@link ConfigException} listing all problems. */
  public static AppConfig load(Map<String, String> env, CommandLine commandLine) {
    return loadWithSources(env, commandLine).config();
  }

  /** The configuration and, key by key, its value and the layer that set it (check-config's table). */
  public record Loaded(AppConfig config, List<Setting> settings) {}

  /**
   * As {@link #load}, also telling where each value came from. Reads the file itself, synchronously: the
   * command decides from the configuration which Vert.x to build (clustered or not), so nothing here may need
   * one (it used to cost a throw-away Vert.x instance per start).
   */
  public static Loaded loadWithSources(Map<String, String> env, CommandLine commandLine) {
    if (commandLine.confFileExplicit() && !Files.isRegularFile(commandLine.confFile())) {
      throw new ConfigException(List.of(
          "config file " + commandLine.confFile() + " (from --conf) does not exist or is not a file"));
    }
    JsonObject envJson = fromEnvironment(env);
    JsonObject file = YamlFile.read(commandLine.confFile(), !commandLine.confFileExplicit());
    // the layers are merged by ConfigLayers, lowest first, so that the file never overrides the environment
    ConfigLayers layers = ConfigLayers.of(commandLine.confFile().toString(), file, envJson, commandLine.overrides());
    ConfigParser.Parsed parsed = ConfigParser.parse(layers);
    return new Loaded(parsed.config(), parsed.settings());
  }

  /** Every environment variable the service reads. */
  public static Set<String> environmentNames() {
    return Set.copyOf(EnvironmentVariables.KEY_BY_NAME.keySet());
  }

  /** Built-in defaults deep-merged with {@code overrides}, validated; no file or environment involved. */
  public static AppConfig fromJson(JsonObject overrides) {
    return ConfigParser.parse(ConfigLayers.overDefaults(overrides)).config();
  }
}
