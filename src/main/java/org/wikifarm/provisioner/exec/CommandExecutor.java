package org.wikifarm.provisioner.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * Runs a maintenance command (an argv, never a shell string) for one wiki: inside the wikifarm container
 * ({@link DockerExecutor}, directly or through Portainer) or as a host process ({@link LocalExecutor}).
 * Implementations are thread-safe: one instance serves every concurrent task of the node.
 *
 * <p>Every command runs with its task's marker {@value #TASK_ENV}{@code =<task id>} in its environment, which
 * everything it starts inherits (unless a program clears its environment on purpose, as {@code sudo} does).
 * A command outlives the service when the service is SIGKILLed while it runs (a docker exec goes on inside
 * the container, a local child process is re-parented); the node that resumes the task calls
 * {@link #stopLeftovers} first, so the command never runs twice at once for one wiki.
 */
public interface CommandExecutor extends AutoCloseable {
  /** The environment variable carrying the id of the task a command runs for. */
  String TASK_ENV = "WIKIFARM_TASK_ID";

  /** What a task id may look like to be put in an environment and matched literally (tasks use UUIDs). */
  Pattern TASK_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

  /**
   * Runs {@code argv} to completion and returns its exit status, whatever it is.
   *
   * @param taskId the task the command runs for; becomes {@value #TASK_ENV} in its environment (must match
   *     {@link #TASK_ID})
   * @param argv the program and its arguments, passed as-is (no shell)
   * @param hostWorkDir the wiki directory as seen on this host ({@code WIKIFARM_DIR/<slug>}); container
   *     executors map it to the container's path
   * @param timeout the deadline for the whole command; when it passes the command (and what it started) is
   *     killed and a permanent {@link CommandException} naming the command and the timeout is thrown
   * @param outputLines receives every output line (stdout and stderr, without line terminators) as soon as it
   *     is complete, in order per stream; called from another thread than the caller's
   * @throws CommandException the command could not be run to completion: engine unreachable (transient),
   *     container missing, rejected credentials, timeout, command not startable
   */
  CommandResult run(String taskId, List<String> argv, Path hostWorkDir, Duration timeout,
      Consumer<String> outputLines) throws CommandException;

  /**
   * {@link #run} that also fails on a non-zero exit status with a permanent {@link CommandException} naming
   * the command and its last output lines, passed through {@code redact} first.
   */
  default CommandResult runChecked(String taskId, List<String> argv, Path hostWorkDir, Duration timeout,
      Consumer<String> outputLines, UnaryOperator<String> redact) throws CommandException {
    CommandResult result = run(taskId, argv, hostWorkDir, timeout, outputLines);
    if (!result.succeeded()) {
      throw result.failure(argv, redact);
    }
    return result;
  }

  /**
   * Stops what an interrupted run of {@code taskId} left behind: TERM to every process still carrying the
   * task's marker where this executor runs commands, a grace period, then KILL to whatever is left. A no-op
   * (returning 0) when nothing carries it.
   *
   * @return how many processes carried the marker
   * @throws CommandException the processes could not be looked for (engine unreachable: transient), or some
   *     survived KILL (transient: running the command again beside them is what this method prevents)
   */
  int stopLeftovers(String taskId) throws CommandException;

  /** Checks a task id before it goes into an environment or a process scan. */
  static String requireTaskId(String taskId) {
    if (taskId == null || !TASK_ID.matcher(taskId).matches()) {
      throw new IllegalArgumentException("not a task id: " + taskId);
    }
    return taskId;
  }

  /** A short human description for logs and {@code /ready}, e.g. "docker exec in container wikifarm". */
  String describe();

  /**
   * Checks, cheaply, that commands could be run now (engine reachable, credentials accepted, container
   * running). For the {@code /ready} probe; throws with the same actionable messages as {@link #run}.
   */
  void checkReachable() throws CommandException;

  /** Releases connections; the executor is unusable afterwards. */
  @Override
  void close();
}
