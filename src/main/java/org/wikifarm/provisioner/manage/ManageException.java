package org.wikifarm.provisioner.manage;

import io.vertx.core.json.JsonObject;

/**
 * A manage request the caller must hear about (bad input, not the owner, wrong state). The HTTP layer turns it
 * into its JSON error shape with {@link #status()}; messages are for users and never carry paths or secrets.
 */
public final class ManageException extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonObject details;

  public ManageException(int status, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public ManageException(int status, String code, String message) {
    this(status, code, message, null);
  }

  static ManageException badRequest(String code, String message) {
    return new ManageException(400, code, message);
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonObject details() {
    return details;
  }
}
