package org.wikifarm.provisioner.support;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeoutException;

/**
 * The one answer to "is this failure a passing connection problem, worth retrying?" for every layer: the
 * orchestrator's retries, the HTTP 503 mapping, the DB admin session and the Docker engine client.
 */
public final class Failures {
  private Failures() {}

  /** An exception that knows whether it is transient; the walk stops at the first one found. */
  public interface Classified {
    boolean isTransient();
  }

  /**
   * Walks the cause chain: a {@link Classified} exception decides; otherwise connection-level problems (refused,
   * reset, closed, timed out, a busy pool) are transient and everything else is not.
   */
  public static boolean isTransient(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof Classified c) {
        return c.isTransient();
      }
      if (isConnectionLevel(t)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isConnectionLevel(Throwable t) {
    // network-level IO: refused, reset, no route (SocketException), a host that does not resolve yet (a container
    // still starting), a channel closed under a request; file-system IOExceptions are deliberately not here
    if (t instanceof SocketException || t instanceof UnknownHostException || t instanceof ClosedChannelException
        || t instanceof ConnectException || t instanceof SocketTimeoutException || t instanceof TimeoutException
        || t instanceof io.vertx.sqlclient.ClosedConnectionException
        || t instanceof io.vertx.core.http.ConnectionPoolTooBusyException
        || t instanceof io.netty.channel.ConnectTimeoutException) {
      return true;
    }
    String m = t.getMessage();
    if (m == null) {
      return false;
    }
    String lower = m.toLowerCase();
    return lower.contains("connection refused") || lower.contains("connection reset")
        || lower.contains("connection is closed") || (t instanceof IOException && lower.contains("broken pipe"))
        // the SQL pool found no free connection within its connection timeout (a plain VertxException): busy
        || lower.contains("timeout waiting for connection");
  }

  /**
   * A failure in words a user can read, by its kind — never its class name or its message, which may name
   * host paths or internals.
   */
  public static String describe(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof java.nio.file.AccessDeniedException) {
        return "permission denied on the farm's files";
      }
      if (t instanceof java.nio.file.NoSuchFileException) {
        return "a file or directory the step needs is missing";
      }
      if (t instanceof java.nio.file.FileAlreadyExistsException) {
        return "a file or directory the step creates already exists";
      }
      if (t instanceof java.nio.file.FileSystemException || t instanceof java.io.UncheckedIOException) {
        return "a file operation failed (disk full, permissions or a missing directory)";
      }
    }
    if (isTransient(failure)) {
      return "a service it depends on did not answer (refused, reset or timed out), even after retrying";
    }
    return failure instanceof java.io.IOException ? "an input/output error" : "an unexpected internal error";
  }

  /** The message of the innermost cause (or its simple class name when it has none), for log lines. */
  public static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
