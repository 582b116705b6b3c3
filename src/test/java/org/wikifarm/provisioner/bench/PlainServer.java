package org.wikifarm.provisioner.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A plain baseline server ({@link PlainSseBroadcast}, {@link PlainPostEndpoint}) in its own JVM on the harness's
 * classpath, as the service runs in its own: started, its {@code listening <port>} line awaited, stopped with
 * SIGTERM.
 */
final class PlainServer implements AutoCloseable {
  private final Process process;
  private final String baseUrl;

  private PlainServer(Process process, String baseUrl) {
    this.process = process;
    this.baseUrl = baseUrl;
  }

  static PlainServer start(Path log, Class<?> main, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(HarnessContext.javaBinary()));
    // a profile of an A/B covers both sides under the same flags; %n names this one apart from the other runs'
    command.addAll(HarnessContext.profilingFlags(main.getSimpleName() + "-" + System.currentTimeMillis()));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().retainAll(HarnessContext.KEPT_ENVIRONMENT); // as the service's
    Process process = builder.start();
    try {
      String line = null;
      for (int i = 0; i < 600 && line == null && process.isAlive(); i++) {
        Thread.sleep(100);
        line = Files.readAllLines(log).stream().filter(l -> l.startsWith("listening ")).findFirst().orElse(null);
      }
      if (line == null) {
        throw new IllegalStateException(main.getSimpleName() + " did not start; see " + log);
      }
      return new PlainServer(process, "http://127.0.0.1:" + line.substring("listening ".length()).trim());
    } catch (Exception | Error e) {
      process.destroyForcibly();
      throw e;
    }
  }

  String baseUrl() {
    return baseUrl;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }
}
