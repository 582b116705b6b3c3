package org.wikifarm.provisioner.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.exception.DockerException;
import java.io.IOException;
import java.util.function.Supplier;
import org.wikifarm.provisioner.support.Failures;

/**
 * Turns docker-java's unchecked exceptions into {@link CommandException}s an operator can act on: which
 * container, which setting to check for the engine or Portainer ({@link DockerExecutor.Engine}), and whether
 * retrying may help. One per executor, since the wording names its engine and container.
 */
final class DockerErrors {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DockerExecutor.Engine engine;
  private final String container;

  DockerErrors(DockerExecutor.Engine engine, String container) {
    this.engine = engine;
    this.container = container;
  }

  /**
   * Runs one engine call and translates its failure.
   *
   * @param action what was asked of the container, completing "could not … container X", e.g. "inspect"
   */
  <T> T call(String action, Supplier<T> call) throws CommandException {
    try {
      return call.get();
    } catch (RuntimeException e) {
      throw translate(action, e);
    }
  }

  /** The failure of an engine call; also for errors docker-java rethrows later, e.g. from an exec's stream. */
  CommandException translate(String action, RuntimeException e) {
    if (e instanceof DockerException de) {
      return translate(action, de);
    }
    if (hasIoCause(e)) {
      return new CommandException("cannot reach " + engine.label() + " (" + Failures.rootMessage(e) + "): "
          + engine.unreachableHint(), true, e);
    }
    return new CommandException("could not " + action + " container " + container + ": " + Failures.rootMessage(e),
        false, e);
  }

  private CommandException translate(String action, DockerException e) {
    int status = e.getHttpStatus();
    String said = engineMessage(e);
    switch (status) {
      case 401, 403:
        return new CommandException(engine.authFailure());
      case 404:
        if (said.toLowerCase().contains("no such container")) {
          return new CommandException("container " + container + " not found: check WIKIFARM_INSTANCE");
        }
        if (said.toLowerCase().contains("no such exec")) {
          return new CommandException("the command's exec vanished from container " + container
              + " (was the container restarted?)", true, e);
        }
        return new CommandException(engine.label() + " answered 404 (" + said + ") when asked to " + action
            + " container " + container + ": " + engine.unreachableHint());
      case 409:
        return new CommandException("container " + container + " cannot run commands (" + said
            + "): start or unpause it");
      case 502, 503, 504:
        return new CommandException(engine.label() + " is temporarily unavailable (HTTP " + status + ": " + said
            + ")", true, e);
      default:
        return new CommandException("could not " + action + " container " + container + ": " + engine.label()
            + " answered HTTP " + status + " (" + said + ")");
    }
  }

  /** The engine's {"message": …} text rather than docker-java's "Status 404: {json}" wrapper. */
  private static String engineMessage(DockerException e) {
    String raw = String.valueOf(e.getMessage());
    int brace = raw.indexOf('{');
    if (brace >= 0) {
      try {
        JsonNode node = JSON.readTree(raw.substring(brace));
        if (node.hasNonNull("message")) {
          return node.get("message").asText().trim();
        }
      } catch (IOException ignored) {
        // not JSON: use the text as it is
      }
    }
    return raw.replaceFirst("^Status \\d+: ", "").trim();
  }

  /**
   * Whether the engine could not be talked to at all. Deliberately wider than {@link Failures#isTransient}:
   * every I/O failure of the transport counts (a missing unix socket, an unknown host, a TLS handshake, a
   * dropped stream), since each means the engine is out of reach rather than that it refused the request,
   * and the hint then says where to look.
   */
  private static boolean hasIoCause(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IOException) {
        return true;
      }
    }
    return false;
  }
}
