package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.support.Blocking;

/**
 * Admin sessions whose connections outlive them: logging in (TCP, handshake, authentication) cost every task a
 * new connection; here a closed session is reset (its named lock released, COM_RESET_CONNECTION) and its
 * connection waits for the next one. A connection idle for {@link #IDLE} is
 * logged out, at most {@link #MAX_IDLE} wait, and only a connection of the same login (address, user,
 * password) is reused, so a changed admin password takes effect at once.
 *
 * <p>The reset runs after the session's task has moved on (two round trips it need not wait for); the next
 * {@link #open} waits for resets still in flight, so it finds their connections instead of logging in again.
 */
final class DbAdminSessions {
  private static final Logger LOG = Logger.getLogger(DbAdminSessions.class.getName());
  static final Duration IDLE = Duration.ofSeconds(30);
  static final int MAX_IDLE = 8;

  private final Vertx vertx;
  private final Deque<Waiting> idle = new ArrayDeque<>();
  /** Closed sessions whose reset is in flight: each ends with its connection idle or logged out. */
  private final Set<Future<Void>> returning = ConcurrentHashMap.newKeySet();

  /** An idle connection, the login it belongs to, and the timer that logs it out. */
  private record Waiting(MySQLConnection conn, String login, long timer) {}

  DbAdminSessions(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A session of the admin account of {@code cfg}, on an idle connection of that login when there is one. */
  DbAdminSession open(AppConfig.WikiDb cfg, Duration timeout) throws ProvisionException {
    String login = login(cfg);
    awaitReturning(timeout);
    MySQLConnection waiting = take(login);
    if (waiting != null) {
      try {
        return DbAdminSession.reusing(waiting, cfg.adminAddress(), timeout, session -> keep(session, login));
      } catch (ProvisionException e) {
        waiting.close(); // the server ended it while it waited (wait_timeout, a restart): log in afresh
      }
    }
    return DbAdminSession.open(vertx, cfg, timeout, session -> keep(session, login));
  }

  private synchronized MySQLConnection take(String login) {
    while (!idle.isEmpty()) {
      Waiting w = idle.pop(); // the most recently used first: the others reach their idle limit sooner
      vertx.cancelTimer(w.timer());
      if (w.login().equals(login)) {
        return w.conn();
      }
      w.conn().close(); // a login that is no longer configured
    }
    return null;
  }

  /** Waits (at most {@code timeout}) for the resets in flight; one that fails or lags only costs a new login. */
  private void awaitReturning(Duration timeout) throws ProvisionException {
    List<Future<Void>> pending = List.copyOf(returning);
    if (pending.isEmpty()) {
      return;
    }
    try {
      Blocking.await(Future.join(pending), timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ProvisionException("interrupted while waiting for the wiki database server", true, null);
    } catch (Exception e) {
      LOG.fine("an admin session's reset failed or lagged (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Takes over the connection of a closing session, without waiting: the named lock released, then
   * COM_RESET_CONNECTION (session and user variables, temporary tables, an open transaction), and the
   * connection kept for the next session. When either fails, or enough connections wait, it is logged out,
   * which ends whatever the session held.
   */
  private void keep(DbAdminSession session, String login) {
    MySQLConnection conn = session.conn;
    Future<?> released = session.heldLock == null ? Future.succeededFuture()
        : conn.preparedQuery("SELECT RELEASE_LOCK(?)").execute(Tuple.of(session.heldLock));
    Future<Void> kept = released.compose(v -> conn.resetConnection())
        .timeout(session.timeout.toMillis(), TimeUnit.MILLISECONDS)
        .transform(reset -> {
          if (reset.failed()) {
            LOG.fine("resetting the admin session failed (" + reset.cause().getClass().getSimpleName()
                + "); logging it out");
          } else if (waitIdle(conn, login)) {
            return Future.<Void>succeededFuture();
          }
          return conn.close().otherwiseEmpty();
        });
    returning.add(kept);
    kept.onComplete(done -> returning.remove(kept));
  }

  /** Puts a reset connection with the idle ones; false when enough wait already. */
  private synchronized boolean waitIdle(MySQLConnection conn, String login) {
    if (idle.size() >= MAX_IDLE) {
      return false;
    }
    long timer = vertx.setTimer(IDLE.toMillis(), id -> logOut(conn));
    idle.push(new Waiting(conn, login, timer));
    return true;
  }

  private synchronized void logOut(MySQLConnection conn) {
    if (idle.removeIf(w -> w.conn() == conn)) {
      conn.close();
    }
  }

  /** What a connection was logged in with; the password only as a digest, so no copy of it is kept here. */
  private static String login(AppConfig.WikiDb cfg) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest((cfg.adminAddress() + "\0" + cfg.adminUser()
          + "\0" + cfg.adminPassword().reveal()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
