package org.wikifarm.provisioner.provision.phases;

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
 */
final class DbAdminSessions {
  private static final Logger LOG = Logger.getLogger(DbAdminSessions.class.getName());
  static final Duration IDLE = Duration.ofSeconds(30);
  static final int MAX_IDLE = 8;

  private final Vertx vertx;
  private final Deque<Waiting> idle = new ArrayDeque<>();

  /** An idle connection, the login it belongs to, and the timer that logs it out. */
  private record Waiting(MySQLConnection conn, String login, long timer) {}

  DbAdminSessions(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A session of the admin account of {@code cfg}, on an idle connection of that login when there is one. */
  DbAdminSession open(AppConfig.WikiDb cfg, Duration timeout) throws ProvisionException {
    String login = login(cfg);
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

  /**
   * Keeps the connection of a closing session when it can leave nothing of that session to the next one: the
   * named lock released, then COM_RESET_CONNECTION (session and user variables, temporary tables, an open
   * transaction). False when either failed, or enough connections wait: the session then logs out, which
   * ends whatever it held.
   */
  private boolean keep(DbAdminSession session, String login) {
    MySQLConnection conn = session.conn;
    try {
      if (session.heldLock != null) {
        Blocking.await(conn.preparedQuery("SELECT RELEASE_LOCK(?)").execute(Tuple.of(session.heldLock)),
            session.timeout);
      }
      Blocking.await(conn.resetConnection(), session.timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      LOG.fine("resetting the admin session failed (" + e.getClass().getSimpleName() + "); logging it out");
      return false;
    }
    synchronized (this) {
      if (idle.size() >= MAX_IDLE) {
        return false;
      }
      long timer = vertx.setTimer(IDLE.toMillis(), id -> logOut(conn));
      idle.push(new Waiting(conn, login, timer));
      return true;
    }
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
