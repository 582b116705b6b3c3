package org.wikifarm.provisioner.embedded;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * {@link DevMain} as a child JVM on the test classpath, as {@code mvn -Pdev test-compile exec:java} runs it
 * (working directory = the project, so {@code sql/} and {@code conf/} are found), on free ports and its own
 * var directory. The service variables of the test's environment are removed; a test adds the ones it wants
 * the dev mode to see. SIGINT works even when the test JVM was started with SIGINT ignored (background jobs
 * inherit that, and a JVM then never runs its shutdown hooks on Ctrl-C): the child starts through
 * {@code env --default-signal=INT}.
 */
public final class DevModeProcess implements AutoCloseable {
  public static final String READY_LINE = "dev mode is ready";

  private final Process process;
  private final Path log;
  public final Ports ports;

  /** The four ports of one dev mode; kept across restarts of the same var directory. */
  public record Ports(int http, int mariaDb, int redis, int wiki) {
    /** Four distinct free ports: a port is free only until someone binds it, so two calls can return the same. */
    public static Ports free() throws Exception {
      java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
      while (ports.size() < 4) {
        ports.add(EmbeddedMariaDb.freePort());
      }
      Integer[] p = ports.toArray(Integer[]::new);
      return new Ports(p[0], p[1], p[2], p[3]);
    }
  }

  private DevModeProcess(Process process, Path log, Ports ports) {
    this.process = process;
    this.log = log;
    this.ports = ports;
  }

  /** Starts it and waits for the ready banner (or fails with its output). */
  public static DevModeProcess start(Path var, Ports ports, Map<String, String> env, String... args) throws Exception {
    DevModeProcess dev = launch(var, ports, env, args);
    dev.awaitOutput(READY_LINE, Duration.ofMinutes(4));
    return dev;
  }

  /** Starts it without waiting (for a start that is expected to wait or fail). */
  public static DevModeProcess launch(Path var, Ports ports, Map<String, String> env, String... args) throws Exception {
    Files.createDirectories(var);
    Path log = Files.createTempFile(var.getParent(), "devmode-", ".log");
    List<String> command = new ArrayList<>();
    if (Files.isExecutable(Path.of("/usr/bin/env"))) {
      command.addAll(List.of("/usr/bin/env", "--default-signal=INT"));
    }
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(List.of("-Xmx384m", "-XX:TieredStopAtLevel=1",
        "-Dwikifarm.dev.var=" + var.toAbsolutePath(),
        "-Dwikifarm.dev.http-port=" + ports.http(), "-Dwikifarm.dev.mariadb-port=" + ports.mariaDb(),
        "-Dwikifarm.dev.redis-port=" + ports.redis(), "-Dwikifarm.dev.wiki-port=" + ports.wiki(),
        "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"))
            .replace(File.pathSeparator + File.pathSeparator, File.pathSeparator),
        DevMain.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    builder.environment().keySet().removeAll(ConfigLoader.environmentNames());
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    return new DevModeProcess(process, log, ports);
  }

  public ApiClient client() {
    return new ApiClient(ports.http());
  }

  public String output() throws Exception {
    return Files.exists(log) ? Files.readString(log) : "";
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** Waits until its output contains {@code text}; fails with the output if it exits or time runs out. */
  public void awaitOutput(String text, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        Thread.sleep(200); // the last lines
        throw new IllegalStateException("the dev mode exited with " + process.exitValue() + " before printing '"
            + text + "':\n" + output());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no '" + text + "' from the dev mode within " + timeout + ":\n" + output());
      }
      Thread.sleep(100);
    }
  }

  /** Sends a signal by name (INT is what Ctrl-C sends) with the kill command. */
  public void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
    if (kill.waitFor() != 0) {
      throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Waits for the exit and returns its code; fails with the output if it does not exit in time. */
  public int awaitExit(Duration timeout) throws Exception {
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      String out = output();
      process.destroyForcibly();
      throw new IllegalStateException("the dev mode did not exit within " + timeout + ":\n" + out);
    }
    return process.exitValue();
  }

  /** SIGKILL: no shutdown hook runs, as in a crash; its servers keep running as orphans. */
  public void kill9() throws Exception {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Ends it if a test left it running (SIGTERM: its servers stop too). */
  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }
}
