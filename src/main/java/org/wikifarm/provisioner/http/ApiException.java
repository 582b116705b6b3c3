package org.wikifarm.provisioner.http;

import io.vertx.core.json.JsonObject;

/**
 * A request failed in a way the client should know about. The {@link FailureHandler} turns it into
 * {@code {"error": {"code", "message", "details"?}}} with {@link #status()}. Messages are for humans and must
 * never contain secrets, SQL or paths.
 */
public class ApiException extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonObject details;

  public ApiException(int status, String code, String message, JsonObject details) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.details = details;
  }

  public ApiException(int status, String code, String message) {
    this(status, code, message, null);
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

  public static ApiException badRequest(String code, String message) {
    return new ApiException(400, code, message);
  }

  /** 400 naming the offending field, so a form can highlight it. */
  public static ApiException invalidField(String code, String field, String message) {
    return new ApiException(400, code, message, new JsonObject().put("field", field));
  }

  public static ApiException notFound(String message) {
    return new ApiException(404, "not_found", message);
  }

  public static ApiException unauthorized(String code, String message) {
    return new ApiException(401, code, message);
  }

  public static ApiException unavailable(String message) {
    return new ApiException(503, "dependency_unavailable", message);
  }

  /** 429 with the number of seconds to wait; the handler sets {@code Retry-After}. */
  public static final class RateLimited extends ApiException {
    private final long retryAfterSeconds;

    public RateLimited(long retryAfterSeconds) {
      super(429, "rate_limited", "too many wikis created recently; try again in " + retryAfterSeconds + " s",
          new JsonObject().put("retry_after", retryAfterSeconds));
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }
}
