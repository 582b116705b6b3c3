package org.wikifarm.provisioner.embedded;

/** A reason the dev mode does not start, written for the person at the terminal (no stack trace). */
final class DevModeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DevModeException(String message) {
    super(message);
  }
}
