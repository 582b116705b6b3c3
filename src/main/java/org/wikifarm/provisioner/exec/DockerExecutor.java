package org.wikifarm.provisioner.exec;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs commands in the wikifarm container with the Docker exec API (create → start, streaming the attached
 * stdout/stderr → inspect for the exit code), through any {@link DockerHttpClient}: the local engine's unix
 * socket, a {@code tcp://} DOCKER_HOST, or Portainer's Docker proxy ({@link PortainerExecutor}).
 *
 * <p>Deadlines are enforced here, not by the HTTP client: the client is built without a response timeout
 * (which would cut a long, quiet maintenance script's stream) and {@link #run} waits for the stream only until
 * the command's deadline. The exec API cannot kill an exec, so every exec carries a unique marker in its
 * environment ({@value #MARKER_ENV}), inherited by everything it starts; on timeout the
 * {@link ContainerProcessStopper} ends every process in the container holding that marker. Every exec also
 * carries its task's marker ({@value CommandExecutor#TASK_ENV}), and {@link #stopLeftovers} stops by that one,
 * for the execs a SIGKILLed node left running. Engine errors become messages through {@link DockerErrors}.
 */
public final class DockerExecutor implements CommandExecutor {
  private static final Logger LOG = Logger.getLogger(DockerExecutor.class.getName());
  static final String MARKER_ENV = "WIKIFARM_EXEC_ID";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Where the Docker API is, in words for messages: {@code label} names it ("Docker engine at unix:///…",
   * "Portainer endpoint https://…"), {@code unreachableHint} says what to check when it cannot be reached, and
   * {@code authFailure} is the whole message for a 401/403.
   */
  public record Engine(String label, String unreachableHint, String authFailure) {}

  private final DockerHttpClient http;
  private final DockerClient docker;
  private final Engine engine;
  private final String container;
  private final PathMapping paths;
  private final String user;
  private final DockerErrors errors;
  private final ContainerProcessStopper stopper;

  /**
   * @param http the transport; owned (closed) by this executor
   * @param user the user commands run as, e.g. {@code www-data}; null or empty for the container's default
   */
  /** How often a running exec is asked whether it has exited, and how long its output may drain after. */
  private static final Duration EXIT_POLL = Duration.ofSeconds(1);
  private volatile CommandEnvironment environment = CommandEnvironment.minimal();

  public DockerExecutor(DockerHttpClient http, Engine engine, String container, PathMapping paths, String user) {
    this.http = http;
    // the transport already knows where the engine is; the config's host is not used for requests
    this.docker = DockerClientImpl.getInstance(new EngineClientConfig(URI.create("unix:///unused")), http);
    this.engine = engine;
    this.container = container;
    this.paths = paths;
    this.user = user == null || user.isEmpty() ? null : user;
    this.errors = new DockerErrors(engine, container);
    this.stopper = new ContainerProcessStopper(docker, container, errors);
  }

  /** An executor for the engine at {@code dockerHost} ({@code unix://…} or {@code tcp://…}; null = local socket). */
  public static DockerExecutor forDockerHost(String dockerHost, String container, PathMapping paths, String user) {
    String host = dockerHost == null || dockerHost.isBlank() ? "unix:///var/run/docker.sock" : dockerHost.trim();
    Engine engine = new Engine("the Docker engine at " + host,
        "check that Docker is running and that DOCKER_HOST (executor.docker-host) points at it",
        "the Docker engine at " + host + " refused access: check the service's permissions on it");
    return new DockerExecutor(httpClient(URI.create(host), null), engine, container, paths, user);
  }

  /**
   * docker-java's Apache transport with a connect timeout but deliberately no response timeout: an exec
   * stream may stay silent for many minutes while a maintenance script works; {@link #run} owns the deadline.
   */
  static DockerHttpClient httpClient(URI host, SSLConfig ssl) {
    return new ApacheDockerHttpClient.Builder()
        .dockerHost(host)
        .sslConfig(ssl)
        .maxConnections(64)
        .connectionTimeout(CONNECT_TIMEOUT)
        .build();
  }

  @Override
  public CommandResult run(String taskId, List<String> argv, Path hostWorkDir, Duration timeout,
      Consumer<String> outputLines) throws CommandException {
    CommandExecutor.requireTaskId(taskId);
    Commands.requireArgv(argv);
    long deadline = System.nanoTime() + timeout.toNanos();
    String workDir = paths.toContainer(hostWorkDir);
    String marker = UUID.randomUUID().toString();
    OutputTail tail = new OutputTail(outputLines);

    String execId = errors.call("create an exec in", () -> docker.execCreateCmd(container)
        .withCmd(argv.toArray(String[]::new))
        .withWorkingDir(workDir)
        .withUser(user)
        .withEnv(execEnvironment(marker, taskId))
        .withAttachStdin(false)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .exec()
        .getId());

    ExecOutput stream = new ExecOutput(tail);
    try {
      errors.call("start the exec in",
          () -> docker.execStartCmd(execId).withDetach(false).withTty(false).exec(stream));
      boolean finished = awaitOutput(stream, execId, marker, deadline);
      if (!finished) {
        stream.closeQuietly();
        throw Commands.timedOut(argv, timeout, stop(marker, execId));
      }
    } catch (InterruptedException e) {
      // the worker is shutting down: do not leave the script running unattended
      stream.closeQuietly();
      String left = stop(marker, execId);
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted while running `" + Commands.display(argv) + "`; the command was "
          + "stopped" + left + ".", false, e);
    } finally {
      stream.closeQuietly();
    }
    stream.finish();
    CommandResult result = new CommandResult(exitCode(execId), tail.lastLines());
    if (result.exitCode() == 126 && result.lastLines().stream().anyMatch(l -> l.contains("chdir to cwd"))) {
      // the runtime could not enter the directory: the host→container path mapping is wrong, not the script
      throw new CommandException("the wiki directory " + workDir + " does not exist inside container "
          + container + ": check WIKIFARM_CONTAINER_WIKI_DIR (the farm directory as the container sees it)");
    }
    return result;
  }

  /**
   * Waits for the exec's output to end, up to the deadline. The stream stays open while any process holds
   * it, so a child the command left in the background would hold the phase until the deadline: once the exec
   * itself has exited, its output gets a moment to drain, then what it left behind is stopped (it carries the
   * exec's marker) and the output ends. False when the deadline passed with the command still running.
   */
  private boolean awaitOutput(ExecOutput stream, String execId, String marker, long deadline)
      throws InterruptedException, CommandException {
    long exitedAt = 0;
    while (true) {
      long left = deadline - System.nanoTime();
      boolean finished;
      try {
        finished = stream.awaitEnd(Math.max(0, Math.min(left, EXIT_POLL.toNanos())));
      } catch (RuntimeException e) { // docker-java rethrows the stream's first error here
        throw errors.translate("stream the output of", e);
      }
      if (finished) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      if (exitedAt == 0 && hasExited(errors.call("inspect the exec in", () -> docker.inspectExecCmd(execId).exec()))) {
        exitedAt = System.nanoTime();
      } else if (exitedAt != 0 && System.nanoTime() - exitedAt > EXIT_POLL.toNanos()) {
        ContainerProcessStopper.Outcome stopped = stopper.stopCarrying(MARKER_ENV + "=" + marker);
        LOG.info("a command in container " + container + " exited leaving " + stopped.found()
            + " process(es) holding its output; stopped them");
        stream.closeQuietly();
        return true;
      }
    }
  }

  /** Ended, with an exit code (a just-started exec is briefly "not running" without one). */
  private static boolean hasExited(InspectExecResponse info) {
    return !Boolean.TRUE.equals(info.isRunning()) && info.getExitCodeLong() != null;
  }

  /** The marker of this exec, the task's marker and the operator's pass-through variables. */
  private List<String> execEnvironment(String marker, String taskId) {
    List<String> env = new java.util.ArrayList<>();
    env.add(MARKER_ENV + "=" + marker);
    env.addAll(environment.forContainer(taskId));
    return env;
  }

  /** Sets what commands get besides the container's own environment (default: the task marker only). */
  public DockerExecutor withEnvironment(CommandEnvironment environment) {
    this.environment = environment;
    return this;
  }

  /**
   * The exit code; the exec may still be marked running for a moment after its stream ended. The waits between
   * inspections start at 2 ms and double up to 50 ms: the engine usually catches up at once.
   */
  private int exitCode(String execId) throws CommandException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long wait = 2;
    while (true) {
      InspectExecResponse info = errors.call("inspect the exec in", () -> docker.inspectExecCmd(execId).exec());
      if (!Boolean.TRUE.equals(info.isRunning()) && info.getExitCodeLong() != null) {
        return info.getExitCodeLong().intValue();
      }
      if (System.nanoTime() > until) {
        throw new CommandException("the output of a command in container " + container + " ended but the "
            + engine.label() + " still reports it running; check the container", true, null);
      }
      sleep(wait);
      wait = Math.min(50, wait * 2);
    }
  }

  /**
   * Stops an exec that overran: the processes carrying its marker (children that ignored TERM included).
   * Returns "" when it is gone, else a clause for the failure message telling the operator what may still run.
   */
  private String stop(String marker, String execId) {
    try {
      stopper.stopCarrying(MARKER_ENV + "=" + marker);
    } catch (CommandException e) {
      LOG.log(Level.WARNING, "could not stop a timed-out command in container " + container + ": " + e.getMessage());
    }
    if (waitStopped(execId, ContainerProcessStopper.GRACE)) {
      return "";
    }
    return ", but it may still be running in container " + container + " (its processes have " + MARKER_ENV
        + "=" + marker + " in their environment)";
  }

  @Override
  public int stopLeftovers(String taskId) throws CommandException {
    ContainerProcessStopper.Outcome stopped =
        stopper.stopCarrying(TASK_ENV + "=" + CommandExecutor.requireTaskId(taskId));
    if (stopped.left() > 0) {
      throw new CommandException(stopped.left() + " process(es) of an interrupted run of this task survived "
          + "SIGKILL in container " + container + "; not running its commands again beside them", true, null);
    }
    if (stopped.found() > 0) {
      LOG.info("stopped " + stopped.found() + " leftover process(es) of task " + taskId + " in container "
          + container);
    }
    return stopped.found();
  }

  private boolean waitStopped(String execId, Duration grace) {
    long until = System.nanoTime() + grace.toNanos();
    do {
      try {
        if (!Boolean.TRUE.equals(docker.inspectExecCmd(execId).exec().isRunning())) {
          return true;
        }
      } catch (RuntimeException e) {
        return false;
      }
      sleep(100);
    } while (System.nanoTime() < until && !Thread.currentThread().isInterrupted());
    return false;
  }

  @Override
  public void checkReachable() throws CommandException {
    InspectContainerResponse info = errors.call("inspect", () -> docker.inspectContainerCmd(container).exec());
    if (info.getState() == null || !Boolean.TRUE.equals(info.getState().getRunning())) {
      throw new CommandException("container " + container + " is not running: start it (WIKIFARM_INSTANCE)");
    }
  }

  @Override
  public String describe() {
    return "docker exec in container " + container + " via " + engine.label()
        + (user == null ? "" : " as " + user);
  }

  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException e) {
      LOG.log(Level.FINE, "closing the Docker connection", e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
