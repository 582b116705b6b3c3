package org.wikifarm.provisioner.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectExecResponse;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.StreamType;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 * environment ({@value #MARKER_ENV}), inherited by everything it starts; on timeout a second exec, as root,
 * signals every process in the container whose environment holds that marker (TERM, a grace period, then
 * KILL). Every exec also carries its task's marker ({@value CommandExecutor#TASK_ENV}), and
 * {@link #stopLeftovers} runs the same stop exec with that one, for the execs a SIGKILLed node left running.
 * That needs {@code sh}, {@code tr}, {@code grep}, {@code sleep} and {@code kill} in the container, which any
 * PHP image has.
 */
public final class DockerExecutor implements CommandExecutor {
  private static final Logger LOG = Logger.getLogger(DockerExecutor.class.getName());
  static final String MARKER_ENV = "WIKIFARM_EXEC_ID";
  private static final Duration STOP_GRACE = Duration.ofSeconds(3);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Stops every process whose environment holds the entry $1 ({@code NAME=value}, matched literally): TERM, up
   * to $2 tenths of a second for them to go, KILL, up to as long again; prints "{@code <found> <left>}". An
   * ended process nobody reaped (a container's PID 1 often does not) is a zombie with an empty environ, so it
   * does not count. The stop exec itself has no marker in its environment.
   */
  private static final String STOP_SCRIPT = "sig() { n=0; for d in /proc/[0-9]*; do "
      + "if { tr '\\0' '\\n' < \"$d/environ\"; } 2>/dev/null | grep -qxF -e \"$entry\"; then n=$((n+1)); "
      + "[ \"$1\" = 0 ] || kill -s \"$1\" \"${d#/proc/}\" 2>/dev/null; fi; done; echo $n; }; "
      + "entry=$1; found=$(sig TERM); i=0; "
      + "while [ $i -lt \"$2\" ] && [ \"$(sig 0)\" -gt 0 ]; do sleep 0.1; i=$((i+1)); done; "
      + "sig KILL >/dev/null; i=0; "
      + "while [ $i -lt \"$2\" ] && [ \"$(sig 0)\" -gt 0 ]; do sleep 0.1; i=$((i+1)); done; "
      + "echo \"$found $(sig 0)\"";

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

  /**
   * @param http the transport; owned (closed) by this executor
   * @param user the user commands run as, e.g. {@code www-data}; null or empty for the container's default
   */
  public DockerExecutor(DockerHttpClient http, Engine engine, String container, PathMapping paths, String user) {
    this.http = http;
    // the transport already knows where the engine is; the config's host is not used for requests
    this.docker = DockerClientImpl.getInstance(new EngineClientConfig(URI.create("unix:///unused")), http);
    this.engine = engine;
    this.container = container;
    this.paths = paths;
    this.user = user == null || user.isEmpty() ? null : user;
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

    String execId = call("create an exec in", () -> docker.execCreateCmd(container)
        .withCmd(argv.toArray(String[]::new))
        .withWorkingDir(workDir)
        .withUser(user)
        .withEnv(List.of(MARKER_ENV + "=" + marker, TASK_ENV + "=" + taskId))
        .withAttachStdin(false)
        .withAttachStdout(true)
        .withAttachStderr(true)
        .exec()
        .getId());

    ExecOutput stream = new ExecOutput(tail);
    try {
      call("start the exec in", () -> docker.execStartCmd(execId).withDetach(false).withTty(false).exec(stream));
      boolean finished;
      try {
        finished = stream.awaitCompletion(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (RuntimeException e) { // docker-java rethrows the stream's first error here
        throw translate("stream the output of", e);
      }
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

  /** The exit code; the exec may still be marked running for a moment after its stream ended. */
  private int exitCode(String execId) throws CommandException {
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (true) {
      InspectExecResponse info = call("inspect the exec in", () -> docker.inspectExecCmd(execId).exec());
      if (!Boolean.TRUE.equals(info.isRunning()) && info.getExitCodeLong() != null) {
        return info.getExitCodeLong().intValue();
      }
      if (System.nanoTime() > until) {
        throw new CommandException("the output of a command in container " + container + " ended but the "
            + engine.label() + " still reports it running; check the container", true, null);
      }
      sleep(50);
    }
  }

  /**
   * Stops an exec that overran: the processes carrying its marker (children that ignored TERM included).
   * Returns "" when it is gone, else a clause for the failure message telling the operator what may still run.
   */
  private String stop(String marker, String execId) {
    try {
      stopCarrying(MARKER_ENV + "=" + marker);
    } catch (CommandException e) {
      LOG.log(Level.WARNING, "could not stop a timed-out command in container " + container + ": " + e.getMessage());
    }
    if (waitStopped(execId, STOP_GRACE)) {
      return "";
    }
    return ", but it may still be running in container " + container + " (its processes have " + MARKER_ENV
        + "=" + marker + " in their environment)";
  }

  @Override
  public int stopLeftovers(String taskId) throws CommandException {
    int[] foundAndLeft = stopCarrying(TASK_ENV + "=" + CommandExecutor.requireTaskId(taskId));
    if (foundAndLeft[1] > 0) {
      throw new CommandException(foundAndLeft[1] + " process(es) of an interrupted run of this task survived "
          + "SIGKILL in container " + container + "; not running its commands again beside them", true, null);
    }
    if (foundAndLeft[0] > 0) {
      LOG.info("stopped " + foundAndLeft[0] + " leftover process(es) of task " + taskId + " in container "
          + container);
    }
    return foundAndLeft[0];
  }

  /**
   * One root exec running {@link #STOP_SCRIPT} for {@code entry}: TERM, grace, KILL to every process in the
   * container carrying it. Returns {found, still there}.
   */
  private int[] stopCarrying(String entry) throws CommandException {
    String tenths = Long.toString(STOP_GRACE.toMillis() / 100);
    String id = call("create a stop exec in", () -> docker.execCreateCmd(container)
        .withCmd("sh", "-c", STOP_SCRIPT, "sh", entry, tenths)
        .withUser("0") // root may read the environment of, and signal, the processes of any user
        .withAttachStdout(true)
        .withAttachStderr(true)
        .exec()
        .getId());
    List<String> lines = new CopyOnWriteArrayList<>();
    ExecOutput out = new ExecOutput(new OutputTail(lines::add));
    try {
      call("start a stop exec in", () -> docker.execStartCmd(id).exec(out));
      boolean done;
      try {
        done = out.awaitCompletion(STOP_GRACE.multipliedBy(2).plusSeconds(20).toMillis(), TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        throw translate("stream the output of a stop exec in", e);
      }
      if (!done) {
        throw new CommandException("stopping processes in container " + container + " did not finish", true, null);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandException("interrupted while stopping processes in container " + container, false, e);
    } finally {
      out.closeQuietly();
    }
    out.finish();
    // stdout and stderr share the lines; the script's answer is its last stdout line
    String last = lines.stream().map(String::trim).filter(l -> l.matches("\\d+ \\d+")).reduce((x, y) -> y)
        .orElse("");
    if (last.isEmpty()) {
      throw new CommandException("could not look for processes to stop in container " + container
          + " (it needs sh, tr, grep, sleep and kill): " + (lines.isEmpty() ? "no output" : String.join(" | ", lines)));
    }
    String[] parts = last.split(" ");
    return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
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
    InspectContainerResponse info = call("inspect", () -> docker.inspectContainerCmd(container).exec());
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

  // ---- error translation -------------------------------------------------------------------------------

  /** Runs one engine call and turns docker-java's exceptions into actionable {@link CommandException}s. */
  private <T> T call(String action, Supplier<T> call) throws CommandException {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw translate(action, e);
    }
  }

  private CommandException translate(String action, RuntimeException e) {
    if (e instanceof DockerException de) {
      return translate(action, de);
    }
    if (hasIoCause(e)) {
      return new CommandException("cannot reach " + engine.label() + " (" + rootMessage(e) + "): "
          + engine.unreachableHint(), true, e);
    }
    return new CommandException("could not " + action + " container " + container + ": " + rootMessage(e),
        false, e);
  }

  private CommandException translate(String action, DockerException e) {
    int status = e.getHttpStatus();
    String said = engineMessage(e);
    switch (status) {
      case 401, 403:
        return new CommandException(engine.authFailure());
      case 404:
        if (said.toLowerCase().contains("no such container")) {
          return new CommandException("container " + container + " not found: check WIKIFARM_INSTANCE");
        }
        if (said.toLowerCase().contains("no such exec")) {
          return new CommandException("the command's exec vanished from container " + container
              + " (was the container restarted?)", true, e);
        }
        return new CommandException(engine.label() + " answered 404 (" + said + ") when asked to " + action
            + " container " + container + ": " + engine.unreachableHint());
      case 409:
        return new CommandException("container " + container + " cannot run commands (" + said
            + "): start or unpause it");
      case 502, 503, 504:
        return new CommandException(engine.label() + " is temporarily unavailable (HTTP " + status + ": " + said
            + ")", true, e);
      default:
        return new CommandException("could not " + action + " container " + container + ": " + engine.label()
            + " answered HTTP " + status + " (" + said + ")");
    }
  }

  /** The engine's {"message": …} text rather than docker-java's "Status 404: {json}" wrapper. */
  private static String engineMessage(DockerException e) {
    String raw = String.valueOf(e.getMessage());
    int brace = raw.indexOf('{');
    if (brace >= 0) {
      try {
        JsonNode node = JSON.readTree(raw.substring(brace));
        if (node.hasNonNull("message")) {
          return node.get("message").asText().trim();
        }
      } catch (IOException ignored) {
        // not JSON: use the text as it is
      }
    }
    return raw.replaceFirst("^Status \\d+: ", "").trim();
  }

  private static boolean hasIoCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The attached output of one exec: frames → lines, stdout and stderr split separately. */
  private static final class ExecOutput extends ResultCallback.Adapter<Frame> {
    private final LineSplitter stdout;
    private final LineSplitter stderr;

    ExecOutput(OutputTail tail) {
      this.stdout = new LineSplitter(tail);
      this.stderr = new LineSplitter(tail);
    }

    @Override
    public void onNext(Frame frame) {
      byte[] payload = frame.getPayload();
      if (payload != null) {
        (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).accept(payload, 0, payload.length);
      }
    }

    /** Emits unterminated last lines; only after the stream completed. */
    void finish() {
      stdout.finish();
      stderr.finish();
    }

    void closeQuietly() {
      try {
        close();
      } catch (IOException ignored) {
        // the stream is being abandoned anyway
      }
    }
  }
}
