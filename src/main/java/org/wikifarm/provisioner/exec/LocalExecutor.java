package org.wikifarm.provisioner.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Runs commands as host processes in the wiki directory: for farms without containers, the embedded dev mode
 * and end-to-end tests against a MediaWiki installed on the host. stdout and stderr are merged (one ordered
 * stream of lines, like a terminal).
 *
 * <p>{@code executor.user} is not applied: switching users would need root or sudo, so commands run as the
 * service's own user; deploy the service as the farm's user (e.g. www-data) when using this executor.
 *
 * <p>{@link #stopLeftovers} finds a task's processes by reading {@code /proc/<pid>/environ}, so it works on
 * Linux only (elsewhere it finds nothing and says so in the log), and only sees processes whose environment the
 * service may read: its own user's, or everyone's when it runs as root. Its own JVM is never signalled.
 */
public final class LocalExecutor implements CommandExecutor {
  private static final Logger LOG = Logger.getLogger(LocalExecutor.class.getName());
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);
  private static final Path PROC = Path.of("/proc");
  /**
   * Waiting for signalled processes to go, the checks start 2 ms apart and double up to 50 ms: most are gone
   * within milliseconds of SIGTERM, and a fixed 50 ms made every stop cost at least that.
   */
  private static final long FIRST_CHECK_MILLIS = 2;
  private static final long LAST_CHECK_MILLIS = 50;

  /** How long a command's output may go on after the command exited (its last buffered lines). */
  private static final Duration OUTPUT_DRAIN = Duration.ofSeconds(1);
  private final Path farmRoot;
  private final CommandEnvironment environment;

  /** @param farmRoot {@code WIKIFARM_DIR}, checked by {@link #checkReachable}. */
  public LocalExecutor(Path farmRoot, String user) {
    this(farmRoot, user, CommandEnvironment.minimal());
  }

  public LocalExecutor(Path farmRoot, String user, CommandEnvironment environment) {
    this.environment = environment;
    this.farmRoot = farmRoot;
    if (user != null && !user.isEmpty() && !user.equals(System.getProperty("user.name"))) {
      LOG.info("executor.user=" + user + " is ignored by the local executor; commands run as "
          + System.getProperty("user.name"));
    }
  }

  @Override
  public CommandResult run(String taskId, List<String> argv, Path hostWorkDir, Duration timeout,
      Consumer<String> outputLines) throws CommandException {
    CommandExecutor.requireTaskId(taskId);
    Commands.requireArgv(argv);
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!Files.isDirectory(hostWorkDir)) {
      throw new CommandException("cannot run `" + Commands.display(argv) + "`: working directory "
          + hostWorkDir + " does not exist", "could not start: the wiki directory does not exist on the host "
          + "that runs commands", false, null);
    }
    Process process;
    try {
      ProcessBuilder builder = new ProcessBuilder(argv).directory(hostWorkDir.toFile()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().clear(); // never the service's own environment: it holds the service's secrets
      builder.environment().putAll(environment.forHostProcess(taskId));
      process = builder.start();
    } catch (IOException e) {
      throw new CommandException("cannot start `" + Commands.display(argv) + "`: " + e.getMessage()
          + ". Is " + argv.get(0) + " installed and on the service's PATH?", false, e);
    }
    OutputTail tail = new OutputTail(outputLines);
    Thread reader = startReader(process.getInputStream(), tail, argv.get(0));
    try {
      if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        String left = stopTree(process);
        throw Commands.timedOut(argv, timeout, left);
      }
      // the pipe closes when the last process holding it exits; a child the command left running in the
      // background may hold it for as long as it lives. The command has ended, so its output ends now: what
      // it left behind is stopped (it carries the task's marker), which closes the pipe
      reader.join(OUTPUT_DRAIN.toMillis());
      if (reader.isAlive()) {
        int stopped = stopLeftovers(taskId);
        LOG.info("`" + Commands.display(argv) + "` exited leaving " + stopped + " process(es) holding its output; "
            + "stopped them");
        reader.join(STOP_GRACE.toMillis());
        reader.interrupt();
      }
    } catch (InterruptedException e) {
      String left = stopTree(process);
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted while running `" + Commands.display(argv) + "`; the command was "
          + "stopped" + left + ".", false, e);
    }
    return new CommandResult(process.exitValue(), tail.lastLines());
  }

  /** Reads the merged output on its own thread so the deadline can be enforced while it blocks. */
  private static Thread startReader(InputStream in, OutputTail tail, String program) {
    Thread t = new Thread(() -> {
      LineSplitter lines = new LineSplitter(tail);
      byte[] buffer = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(buffer)) != -1) {
          lines.accept(buffer, 0, n);
        }
      } catch (IOException e) {
        // the stream was closed because the process was stopped: nothing more to read
      }
      lines.finish();
    }, "local-exec-output-" + program);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /**
   * TERM to the process and everything it started, a grace period, then KILL. Descendants are collected first:
   * once the parent dies they are re-parented and no longer findable through it. Signals go parents first: a
   * shell whose child died before it would run the script's next command in the meantime.
   */
  private static String stopTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(process.toHandle());
    tree.addAll(process.descendants().toList()); // children before grandchildren
    tree.forEach(ProcessHandle::destroy);
    long until = System.nanoTime() + STOP_GRACE.toNanos();
    long wait = FIRST_CHECK_MILLIS;
    while (System.nanoTime() < until && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      try {
        Thread.sleep(wait);
        wait = Math.min(LAST_CHECK_MILLIS, wait * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Long> alive = tree.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList();
    return alive.isEmpty() ? "" : ", but processes " + alive + " are still alive";
  }

  @Override
  public int stopLeftovers(String taskId) throws CommandException {
    byte[] entry = (TASK_ENV + "=" + CommandExecutor.requireTaskId(taskId)).getBytes(StandardCharsets.UTF_8);
    if (!Files.isDirectory(PROC)) {
      LOG.warning("no /proc on this system: processes an interrupted run of task " + taskId
          + " may have left cannot be found (the local executor finds them on Linux only)");
      return 0;
    }
    List<ProcessHandle> found = carrying(entry);
    if (found.isEmpty()) {
      return 0;
    }
    LOG.info("stopping " + found.size() + " leftover process(es) of task " + taskId + ": "
        + found.stream().map(ProcessHandle::pid).toList());
    found.forEach(ProcessHandle::destroy); // SIGTERM; the handle's start time guards against a reused pid
    List<ProcessHandle> left = awaitGone(found, entry);
    left.forEach(ProcessHandle::destroyForcibly); // SIGKILL
    left = awaitGone(left, entry);
    if (!left.isEmpty()) {
      throw new CommandException("processes " + left.stream().map(ProcessHandle::pid).toList() + " of an "
          + "interrupted run of this task survived SIGKILL; not running its commands again beside them", true, null);
    }
    return found.size();
  }

  /** The processes (other than this JVM) whose environment holds {@code entry}, in /proc order. */
  private static List<ProcessHandle> carrying(byte[] entry) throws CommandException {
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> found = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, "[0-9]*")) {
      for (Path dir : dirs) {
        long pid;
        try {
          pid = Long.parseLong(dir.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid == self) {
          continue;
        }
        // the handle first: it records the start time, so a pid reused after the read is never signalled
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isPresent() && carries(pid, entry)) {
          found.add(handle.get());
        }
      }
    } catch (IOException e) {
      throw new CommandException("cannot list the processes in /proc to find leftovers of an interrupted run: "
          + e.getMessage(), true, e);
    }
    return found;
  }

  /** Whether {@code /proc/<pid>/environ} has exactly {@code entry} among its NUL-separated entries. */
  private static boolean carries(long pid, byte[] entry) {
    byte[] env;
    try {
      env = Files.readAllBytes(PROC.resolve(Long.toString(pid)).resolve("environ"));
    } catch (IOException | SecurityException e) {
      return false; // gone, or another user's process we may not read (and could not signal either)
    }
    int start = 0;
    for (int i = 0; i <= env.length; i++) {
      if (i == env.length || env[i] == 0) {
        if (Arrays.equals(env, start, i, entry, 0, entry.length)) {
          return true;
        }
        start = i + 1;
      }
    }
    return false;
  }

  /**
   * Waits up to the grace period for the processes to be gone; returns those still carrying {@code entry}.
   * An ended process that nobody reaped yet is a zombie with an empty environ, so it counts as gone.
   */
  private static List<ProcessHandle> awaitGone(List<ProcessHandle> handles, byte[] entry) {
    long until = System.nanoTime() + STOP_GRACE.toNanos();
    long wait = FIRST_CHECK_MILLIS;
    while (true) {
      List<ProcessHandle> left = handles.stream().filter(h -> h.isAlive() && carries(h.pid(), entry)).toList();
      if (left.isEmpty() || System.nanoTime() > until) {
        return left;
      }
      try {
        Thread.sleep(wait);
        wait = Math.min(LAST_CHECK_MILLIS, wait * 2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return left;
      }
    }
  }

  @Override
  public void checkReachable() throws CommandException {
    if (!Files.isDirectory(farmRoot)) {
      throw new CommandException("the farm directory " + farmRoot + " does not exist: check WIKIFARM_DIR");
    }
  }

  @Override
  public String describe() {
    return "local processes as " + System.getProperty("user.name");
  }

  @Override
  public void close() {
    // nothing held between commands
  }
}
