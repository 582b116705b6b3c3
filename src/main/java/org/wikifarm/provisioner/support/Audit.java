package org.wikifarm.provisioner.support;

import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.logging.ErrorManager;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The audit log (SPEC §8): one JSON line per state change — task created, claimed, resumed, finished; wiki
 * deleted; permissions, extensions, favicon or visibility changed; reconcile applied — with the time, the actor
 * (a user id, {@code operator}, or a node), the action, the target and the outcome. It goes to its own logger,
 * {@value #LOGGER}, so operators route it to its own file or collector, or to the file {@link #toFile} opens
 * ({@code audit.file}). Callers never pass secrets.
 */
public final class Audit {
  public static final String LOGGER = "wikifarm.audit";
  private static final Logger LOG = Logger.getLogger(LOGGER);

  private Audit() {}

  /** Records one state change; {@code details} (may be null) holds extra, non-secret facts. */
  public static void record(String actor, String action, String target, String outcome, JsonObject details) {
    JsonObject line = new JsonObject().put("time", Instant.now().toString()).put("actor", actor)
        .put("action", action).put("target", target).put("outcome", outcome);
    if (details != null && !details.isEmpty()) {
      line.put("details", details);
    }
    // logp with the source given: a plain info() makes the formatter walk the stack for it, on every request
    LOG.logp(Level.INFO, Audit.class.getName(), "record", line.encode());
  }

  /**
   * From now on the lines are appended to {@code file} (created when missing) and no longer reach the service
   * log, until the returned handle is closed. Fails when the file cannot be opened for writing.
   */
  public static Closeable toFile(Path file) throws IOException {
    LineFile sink = new LineFile(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    LOG.addHandler(sink);
    LOG.setUseParentHandlers(false); // "its own file": not also in the service log
    return () -> {
      LOG.removeHandler(sink);
      if (LOG.getHandlers().length == 0) {
        LOG.setUseParentHandlers(true);
      }
      sink.close();
    };
  }

  /** Writes each record's message as one line, flushed at once: an audit line must survive a crash after it. */
  private static final class LineFile extends Handler {
    private final Writer out;

    LineFile(Writer out) {
      this.out = out;
    }

    @Override
    public synchronized void publish(LogRecord record) {
      if (!isLoggable(record)) {
        return;
      }
      try {
        out.write(record.getMessage());
        out.write('\n');
        out.flush();
      } catch (IOException e) {
        reportError("audit line not written", e, ErrorManager.WRITE_FAILURE);
      }
    }

    @Override
    public synchronized void flush() {
      try {
        out.flush();
      } catch (IOException e) {
        reportError("audit file not flushed", e, ErrorManager.FLUSH_FAILURE);
      }
    }

    @Override
    public synchronized void close() {
      try {
        out.close();
      } catch (IOException e) {
        reportError("audit file not closed", e, ErrorManager.CLOSE_FAILURE);
      }
    }
  }
}
