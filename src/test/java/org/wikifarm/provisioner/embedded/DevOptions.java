package org.wikifarm.provisioner.embedded;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The dev mode's own switches. Flags ({@code mvn -Pdev test-compile exec:java -Dexec.args="--reset"}):
 * {@code --reset} deletes the whole data directory first, {@code --use-env} applies the shell's service
 * variables (ignored by default: a shell set up for production must not turn the dev mode into a production
 * client), {@code --demo-template} uses the stand-in template even where MediaWiki is installed. Every other
 * argument is a service flag ({@code --set key=value}, {@code --workers N}, …).
 *
 * <p>System properties place it (the tests run several at once): {@code wikifarm.dev.var} (default
 * {@code var}), {@code wikifarm.dev.http-port} (8080), {@code .mariadb-port} (13306), {@code .redis-port}
 * (16379), {@code .wiki-port} (18080, the web server of the created wikis).
 */
record DevOptions(Path varDir, int httpPort, int mariaDbPort, int redisPort, int wikiPort, boolean reset,
    boolean useEnv, boolean demoTemplate, List<String> serviceArgs) {
  static final int HTTP_PORT = 8080;
  static final int MARIADB_PORT = 13306;
  static final int REDIS_PORT = 16379;
  static final int WIKI_PORT = 18080;

  static DevOptions parse(String[] args) {
    boolean reset = false;
    boolean useEnv = false;
    boolean demo = false;
    List<String> rest = new ArrayList<>();
    for (String arg : args) {
      switch (arg) {
        case "--reset" -> reset = true;
        case "--use-env" -> useEnv = true;
        case "--demo-template" -> demo = true;
        default -> rest.add(arg);
      }
    }
    return new DevOptions(Path.of(System.getProperty("wikifarm.dev.var", "var")).toAbsolutePath().normalize(),
        port("http-port", HTTP_PORT), port("mariadb-port", MARIADB_PORT), port("redis-port", REDIS_PORT),
        port("wiki-port", WIKI_PORT), reset, useEnv, demo, List.copyOf(rest));
  }

  private static int port(String name, int fallback) {
    String value = System.getProperty("wikifarm.dev." + name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int port = Integer.parseInt(value.strip());
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new DevModeException("-Dwikifarm.dev." + name + " must be a port number, not '" + value + "'");
  }
}
