package org.wikifarm.provisioner.provision;

import org.wikifarm.provisioner.support.Failures;

/**
 * A phase failed. The message is shown to the user as the task's message: it says what went wrong and what to
 * do next, and never contains a secret. {@code transientFailure} marks errors worth retrying (connection
 * refused/reset, timeouts reaching Docker or the DB); everything else fails at once.
 */
public class ProvisionException extends Exception implements Failures.Classified {
  private final boolean transientFailure;

  public ProvisionException(String message) {
    this(message, false, null);
  }

  public ProvisionException(String message, boolean transientFailure, Throwable cause) {
    super(message, cause);
    this.transientFailure = transientFailure;
  }

  @Override
  public boolean isTransient() {
    return transientFailure;
  }

  /** A resource that this task did not create is in the way (directory, database or user exists). */
  public static ProvisionException conflict(String what) {
    return new ProvisionException(what + " already exists and was not created by this task; it was left "
        + "untouched. Remove it or choose another slug.");
  }
}
