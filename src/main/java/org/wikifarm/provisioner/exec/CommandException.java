package org.wikifarm.provisioner.exec;

import org.wikifarm.provisioner.support.Failures;

/**
 * A command could not be run to completion (engine unreachable, container missing, credentials rejected,
 * timeout, program not startable) or, through {@link CommandExecutor#runChecked}, ended with a non-zero status.
 * The message is written for the operator who reads the failed task: it says what went wrong and what to
 * check, and never contains a secret (API keys, passwords); callers may show it as it is. {@code transient}
 * marks failures worth retrying (the engine or Portainer could not be reached for the moment); everything else
 * fails at once.
 *
 * <p>The executors' own type rather than the orchestrator's, so {@code exec} stays a bottom layer; the phase
 * running the commands wraps it in its own failure, keeping the message and the transient flag.
 */
public final class CommandException extends Exception implements Failures.Classified {
  private final boolean transientFailure;
  private final String forTask;

  /** A permanent failure. */
  public CommandException(String message) {
    this(message, false, null);
  }

  public CommandException(String message, boolean transientFailure, Throwable cause) {
    this(message, message, transientFailure, cause);
  }

  /**
   * @param message  the whole story for the operator's log (may name the command line and host paths)
   * @param forTask  what a task message may say: the failure in words, without the command line or host paths
   */
  public CommandException(String message, String forTask, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.forTask = forTask;
    this.transientFailure = transientFailure;
  }

  /** The failure as users may see it (task messages, SSE): no command line, no host path. */
  public String forTask() {
    return forTask;
  }

  @Override
  public boolean isTransient() {
    return transientFailure;
  }
}
