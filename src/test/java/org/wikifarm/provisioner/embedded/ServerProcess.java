package org.wikifarm.provisioner.embedded;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A server the dev mode and the tests run as a child process (mariadbd, redis-server, php -S), managed here
 * rather than by a library so that its life is explicit:
 * <ul>
 *   <li>it starts in its own session ({@code setsid}), so a terminal's Ctrl-C reaches only the JVM, which stops
 *       the service first and its servers after it, instead of every process at once;</li>
 *   <li>no shutdown hook of its own: whoever starts it stops it ({@link #stop}), in the order it needs;</li>
 *   <li>its output goes to a log file and to java.util.logging at FINE (never the console), the last lines kept
 *       for error messages;</li>
 *   <li>the server writes a pid file, so the next start can stop one that a crashed JVM left running
 *       ({@link #stopLeftover}).</li>
 * </ul>
 */
final class ServerProcess {
  private static final int TAIL_LINES = 40;

  private final String name;
  private final Process process;
  private final Deque<String> tail = new ArrayDeque<>();
  private final CountDownLatch ready = new CountDownLatch(1);

  private ServerProcess(String name, Process process) {
    this.name = name;
    this.process = process;
  }

  /**
   * Starts {@code command} and waits until a line of its output matches {@code readyLine}. On failure (exit, or
   * no such line within {@code timeout}) the process is killed and the exception carries its last lines.
   */
  static ServerProcess start(String name, List<String> command, Map<String, String> environment, Path log,
      Pattern readyLine, Duration timeout) throws Exception {
    List<String> argv = new ArrayList<>();
    String setsid = Prerequisites.which("setsid");
    if (setsid != null) {
      argv.add(setsid); // a ProcessBuilder child is no group leader, so setsid execs in place: same pid
    }
    argv.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Files.createDirectories(log.toAbsolutePath().getParent());
    ServerProcess server = new ServerProcess(name, builder.start());
    server.process.getOutputStream().close();
    Thread reader = new Thread(() -> server.copyOutput(log, readyLine), name + "-output");
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!server.ready.await(100, TimeUnit.MILLISECONDS)) {
      if (!server.process.isAlive() || System.nanoTime() > deadline) {
        boolean exited = !server.process.isAlive();
        server.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        reader.join(2_000);
        throw new IllegalStateException(name + (exited ? " exited with " + server.process.exitValue()
            : " was not ready within " + timeout.toSeconds() + " s") + "; its last lines (all in " + log + "):\n"
            + server.tail());
      }
    }
    return server;
  }

  private void copyOutput(Path log, Pattern readyLine) {
    Logger logger = Logger.getLogger(ServerProcess.class.getPackageName() + "." + name);
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
         Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
             StandardOpenOption.APPEND)) {
      for (String line; (line = in.readLine()) != null; ) {
        out.write(line);
        out.write('\n');
        out.flush();
        logger.fine(line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
        if (readyLine.matcher(line).find()) {
          ready.countDown();
        }
      }
    } catch (IOException e) {
      logger.fine(() -> "output of " + name + " ended: " + e);
    }
  }

  String tail() {
    synchronized (tail) {
      return String.join("\n", tail);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** SIGTERM (the server's own clean shutdown), then SIGKILL if it has not exited within {@code grace}. */
  void stop(Duration grace) throws InterruptedException {
    if (!process.isAlive()) {
      return;
    }
    List<ProcessHandle> children = process.descendants().toList(); // php -S workers, a Redis rewrite child
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
  }

  /**
   * Stops the process named in {@code pidFile} if it is still running and its command contains
   * {@code commandPart} (a pid file can outlive its process, and the pid be reused by something else). Callers
   * make sure no live owner uses it any more (the dev mode holds a lock on var/ for that). Returns what was done,
   * or empty when nothing was running.
   */
  static Optional<String> stopLeftover(Path pidFile, String commandPart, Duration grace) throws Exception {
    if (!Files.isRegularFile(pidFile)) {
      return Optional.empty();
    }
    String text = Files.readString(pidFile).strip();
    Optional<ProcessHandle> handle = text.matches("[0-9]{1,10}") ? ProcessHandle.of(Long.parseLong(text))
        : Optional.empty();
    if (handle.isEmpty() || !handle.get().isAlive()
        || !handle.get().info().command().orElse("").contains(commandPart)) {
      Files.deleteIfExists(pidFile);
      return Optional.empty();
    }
    ProcessHandle leftover = handle.get();
    List<ProcessHandle> children = leftover.descendants().toList();
    leftover.destroy();
    children.forEach(ProcessHandle::destroy);
    try {
      leftover.onExit().get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      leftover.destroyForcibly();
      leftover.onExit().get(10, TimeUnit.SECONDS);
    }
    children.forEach(ProcessHandle::destroyForcibly);
    Files.deleteIfExists(pidFile);
    return Optional.of(commandPart + " (pid " + leftover.pid() + ") left running by an earlier run was stopped");
  }
}
