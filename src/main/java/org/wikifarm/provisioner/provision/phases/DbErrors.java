package org.wikifarm.provisioner.provision.phases;

import io.vertx.mysqlclient.MySQLException;
import java.util.Set;
import org.wikifarm.provisioner.provision.ProvisionException;
import org.wikifarm.provisioner.support.Failures;

/**
 * Turns what the MariaDB driver reports to the admin session into {@link ProvisionException}s that say what to
 * fix, never carry a secret, and keep the server's error code for db_provision to react to.
 */
final class DbErrors {
  // MariaDB error codes db_provision reacts to
  static final int ER_DB_CREATE_EXISTS = 1007;
  static final int ER_NO_SUCH_TABLE = 1146;
  static final int ER_CANNOT_USER = 1396;
  private static final int ER_DBACCESS_DENIED = 1044;
  private static final int ER_ACCESS_DENIED = 1045;
  private static final int ER_TABLEACCESS_DENIED = 1142;
  private static final int ER_SPECIFIC_ACCESS_DENIED = 1227;
  private static final int ER_CANT_CREATE_USER_WITH_GRANT = 1410;
  private static final Set<Integer> PRIVILEGE_ERRORS = Set.of(ER_DBACCESS_DENIED, ER_ACCESS_DENIED,
      ER_TABLEACCESS_DENIED, ER_SPECIFIC_ACCESS_DENIED, ER_CANT_CREATE_USER_WITH_GRANT);

  private static final String ADMIN_HINT = "check WIKI_DB_ADMIN_USER/WIKI_DB_ADMIN_PASSWORD and that the "
      + "account may connect from this host";

  private DbErrors() {}

  /** The admin login to {@code address} failed with {@code cause}: refused (permanent) or unreachable. */
  static ProvisionException loginFailed(Throwable cause, String address, String adminUser) {
    if (cause instanceof MySQLException m && m.getErrorCode() == ER_ACCESS_DENIED) {
      return new ProvisionException("the wiki database server at " + address + " refused the admin "
          + "login of '" + adminUser + "'; " + ADMIN_HINT, false, null);
    }
    if (cause instanceof MySQLException m) {
      return new ProvisionException("could not log in to the wiki database server at " + address
          + " (error " + m.getErrorCode() + "); " + ADMIN_HINT, false, null);
    }
    return new ProvisionException("cannot reach the wiki database server at " + address + " ("
        + cause.getClass().getSimpleName() + "); check WIKI_DB_HOST and that MariaDB is running",
        Failures.isTransient(cause), cause);
  }

  /**
   * The statement {@code what} failed with {@code cause}. A {@code secret} statement holds the password, and the
   * server's message may quote the statement, so then only the error code is kept (not even the cause).
   */
  static ProvisionException statementFailed(Throwable cause, String what, boolean secret, String address) {
    if (cause instanceof MySQLException m) {
      int code = m.getErrorCode();
      if (PRIVILEGE_ERRORS.contains(code)) {
        return new SqlFailure("the admin account lacks a privilege to " + what + " (error " + code + "); "
            + ADMIN_HINT + ", and that it has ALL PRIVILEGES WITH GRANT OPTION", code, null);
      }
      String detail = secret ? "error " + code : "error " + code + ": " + m.getMessage();
      return new SqlFailure("could not " + what + " (" + detail + ")", code, secret ? null : m);
    }
    boolean connection = Failures.isTransient(cause);
    return new ProvisionException("could not " + what + ": " + (connection ? "lost the connection to "
        + address : cause.getClass().getSimpleName()), connection, secret ? null : cause);
  }

  /** The MariaDB error code a failure carries (also when its cause was withheld), or -1. */
  static int errorCode(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof MySQLException m) {
        return m.getErrorCode();
      }
      if (t instanceof SqlFailure f) {
        return f.code;
      }
    }
    return -1;
  }

  /** A statement the server rejected; keeps the MariaDB error code even when the cause is withheld. */
  private static final class SqlFailure extends ProvisionException {
    final int code;

    SqlFailure(String message, int code, Throwable cause) {
      super(message, false, cause);
      this.code = code;
    }
  }
}
