package org.wikifarm.provisioner.store;

import org.wikifarm.provisioner.support.Failures;

/** A backing store (MariaDB or Redis) is needed and does not answer; the message says what to do, for users. */
public final class StoreUnavailableException extends RuntimeException implements Failures.Classified {
  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public boolean isTransient() {
    return true;
  }
}
