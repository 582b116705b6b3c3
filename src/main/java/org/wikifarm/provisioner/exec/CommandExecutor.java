package org.wikifarm.provisioner.exec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Runs a maintenance command (an argv, never a shell string) for one wiki: inside the wikifarm container
 * ({@link DockerExecutor}, directly or through Portainer) or as a host process ({@link LocalExecutor}).
 * Implementations are thread-safe: one instance serves every concurrent task of the node.
 */
public interface CommandExecutor extends AutoCloseable {

  /**
   * Runs {@code argv} to completion and returns its exit status, whatever it is.
   *
   * @param argv the program and its arguments, passed as-is (no shell)
   * @param hostWorkDir the wiki directory as seen on this host ({@code WIKIFARM_DIR/<slug>}); container
   *     executors map it to the container's path
   * @param timeout the deadline for the whole command; when it passes the command (and what it started) is
   *     killed and a permanent {@link ProvisionException} naming the command and the timeout is thrown
   * @param outputLines receives every output line (stdout and stderr, without line terminators) as soon as it
   *     is complete, in order per stream; called from another thread than the caller's
   * @throws ProvisionException the command could not be run to completion: engine unreachable (transient),
   *     container missing, rejected credentials, timeout, command not startable
   */
  CommandResult run(List<String> argv, Path hostWorkDir, Duration timeout, Consumer<String> outputLines)
      throws ProvisionException;

  /**
   * {@link #run} that also fails on a non-zero exit status with a permanent {@link ProvisionException} naming
   * the command and its last output lines, passed through {@code redact} first.
   */
  default CommandResult runChecked(List<String> argv, Path hostWorkDir, Duration timeout,
      Consumer<String> outputLines, UnaryOperator<String> redact) throws ProvisionException {
    CommandResult result = run(argv, hostWorkDir, timeout, outputLines);
    if (!result.succeeded()) {
      throw result.failure(argv, redact);
    }
    return result;
  }

  /** A short human description for logs and {@code /ready}, e.g. "docker exec in container wikifarm". */
  String describe();

  /**
   * Checks, cheaply, that commands could be run now (engine reachable, credentials accepted, container
   * running). For the {@code /ready} probe; throws with the same actionable messages as {@link #run}.
   */
  void checkReachable() throws ProvisionException;

  /** Releases connections; the executor is unusable afterwards. */
  @Override
  void close();
}
