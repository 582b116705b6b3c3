package org.wikifarm.provisioner.embedded;

import io.vertx.core.json.JsonObject;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The service as a separate JVM ({@code cli.Main serve}), for tests that kill it with SIGKILL or run several
 * nodes. Its configuration is written as a file ({@code --conf}; JSON is valid YAML) and it listens on a
 * fixed free loopback port. stdout+stderr go to a log file the test can read.
 */
public final class ServiceProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path log;

  private ServiceProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts a node. {@code config} is a complete configuration JSON (e.g. from {@link TestConfigs#json}); its
   * http.bind is replaced by a free port. {@code systemProperties} are passed as -D flags.
   */
  public static ServiceProcess start(JsonObject config, Path workDir, Map<String, String> systemProperties)
      throws Exception {
    return start(config, workDir, systemProperties, "org.wikifarm.provisioner.cli.Main");
  }

  /** As {@link #start(JsonObject, Path, Map)} with another main class taking the fat jar's arguments. */
  public static ServiceProcess start(JsonObject config, Path workDir, Map<String, String> systemProperties,
      String mainClass) throws Exception {
    return start(config, workDir, systemProperties, mainClass, List.of());
  }

  /** As {@link #start(JsonObject, Path, Map, String)} with more JVM options (e.g. {@code -Xlog:class+load}). */
  public static ServiceProcess start(JsonObject config, Path workDir, Map<String, String> systemProperties,
      String mainClass, List<String> jvmOptions) throws Exception {
    int port = EmbeddedMariaDb.freePort();
    JsonObject json = config.copy();
    json.getJsonObject("http").put("bind", "127.0.0.1:" + port);
    Files.createDirectories(workDir);
    Path conf = workDir.resolve("node-" + port + ".yaml");
    Files.writeString(conf, json.encodePrettily());
    Path log = workDir.resolve("node-" + port + ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1"); // start fast; these nodes live for seconds
    systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
        .replace(File.pathSeparator + File.pathSeparator, File.pathSeparator));
    command.add(mainClass);
    command.add("serve");
    command.add("--conf");
    command.add(conf.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    // only --conf configures the child: drop every variable the service would read from our environment
    builder.environment().keySet().removeAll(org.wikifarm.provisioner.config.ConfigLoader.environmentNames());
    ServiceProcess node = new ServiceProcess(builder.start(), port, log);
    node.awaitHealthy(Duration.ofSeconds(60));
    return node;
  }

  public static ServiceProcess start(JsonObject config, Path workDir) throws Exception {
    return start(config, workDir, Map.of());
  }

  public int port() {
    return port;
  }

  public ApiClient client() {
    return new ApiClient(port);
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public String log() throws Exception {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** SIGKILL: no shutdown hook runs, exactly like a crash or an OOM kill. */
  public void kill9() throws Exception {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM: the graceful path. */
  public int terminate(Duration wait) throws Exception {
    process.destroy();
    if (!process.waitFor(wait.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    return process.exitValue();
  }

  private void awaitHealthy(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + log());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (Exception notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IllegalStateException("node did not become healthy in " + timeout + ":\n" + log());
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      kill9();
    }
  }
}
