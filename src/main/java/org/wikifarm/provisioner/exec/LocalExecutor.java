package org.wikifarm.provisioner.exec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Runs commands as host processes in the wiki directory: for farms without containers, the embedded dev mode
 * and end-to-end tests against a MediaWiki installed on the host. stdout and stderr are merged (one ordered
 * stream of lines, like a terminal).
 *
 * <p>{@code executor.user} is not applied: switching users would need root or sudo, so commands run as the
 * service's own user; deploy the service as the farm's user (e.g. www-data) when using this executor.
 */
public final class LocalExecutor implements CommandExecutor {
  private static final Logger LOG = Logger.getLogger(LocalExecutor.class.getName());
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);

  private final Path farmRoot;

  /** @param farmRoot {@code WIKIFARM_DIR}, checked by {@link #checkReachable}. */
  public LocalExecutor(Path farmRoot, String user) {
    this.farmRoot = farmRoot;
    if (user != null && !user.isEmpty() && !user.equals(System.getProperty("user.name"))) {
      LOG.info("executor.user=" + user + " is ignored by the local executor; commands run as "
          + System.getProperty("user.name"));
    }
  }

  @Override
  public CommandResult run(List<String> argv, Path hostWorkDir, Duration timeout, Consumer<String> outputLines)
      throws ProvisionException {
    Commands.requireArgv(argv);
    long deadline = System.nanoTime() + timeout.toNanos();
    if (!Files.isDirectory(hostWorkDir)) {
      throw new ProvisionException("cannot run `" + Commands.display(argv) + "`: working directory "
          + hostWorkDir + " does not exist");
    }
    Process process;
    try {
      process = new ProcessBuilder(argv).directory(hostWorkDir.toFile()).redirectErrorStream(true)
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    } catch (IOException e) {
      throw new ProvisionException("cannot start `" + Commands.display(argv) + "`: " + e.getMessage()
          + ". Is " + argv.get(0) + " installed and on the service's PATH?", false, e);
    }
    OutputTail tail = new OutputTail(outputLines);
    Thread reader = startReader(process.getInputStream(), tail, argv.get(0));
    try {
      if (!process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        String left = stopTree(process);
        throw Commands.timedOut(argv, timeout, left);
      }
      // the pipe closes when the last process holding it exits; a daemonized grandchild may keep it open,
      // so wait for the rest of the output only until the deadline
      reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (reader.isAlive()) {
        stopTree(process);
        reader.interrupt();
      }
    } catch (InterruptedException e) {
      String left = stopTree(process);
      Thread.currentThread().interrupt();
      throw new ProvisionException("interrupted while running `" + Commands.display(argv) + "`; the command was "
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
   * once the parent dies they are re-parented and no longer findable through it.
   */
  private static String stopTree(Process process) {
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process.toHandle());
    tree.forEach(ProcessHandle::destroy);
    long until = System.nanoTime() + STOP_GRACE.toNanos();
    while (System.nanoTime() < until && tree.stream().anyMatch(ProcessHandle::isAlive)) {
      try {
        Thread.sleep(50);
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
  public void checkReachable() throws ProvisionException {
    if (!Files.isDirectory(farmRoot)) {
      throw new ProvisionException("the farm directory " + farmRoot + " does not exist: check WIKIFARM_DIR");
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
