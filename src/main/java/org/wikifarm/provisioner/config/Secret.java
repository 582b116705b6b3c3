package org.wikifarm.provisioner.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * A configured secret (password, token, API key). Its {@code toString} never reveals the value, so a config
 * object can be logged safely; code that needs the value asks for it explicitly with {@link #reveal()}.
 */
public final class Secret {
  private static final Secret EMPTY = new Secret("");
  private final String value;

  private Secret(String value) {
    this.value = value;
  }

  public static Secret of(String value) {
    return value == null || value.isEmpty() ? EMPTY : new Secret(value);
  }

  public static Secret empty() {
    return EMPTY;
  }

  public String reveal() {
    return value;
  }

  public boolean isEmpty() {
    return value.isEmpty();
  }

  /** Constant-time comparison, for bearer tokens. */
  public boolean matches(String candidate) {
    if (candidate == null) {
      return false;
    }
    return MessageDigest.isEqual(
        value.getBytes(StandardCharsets.UTF_8), candidate.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "<unset>" : "<redacted>";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Secret s && s.value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }
}
