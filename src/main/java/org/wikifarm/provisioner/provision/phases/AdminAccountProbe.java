package org.wikifarm.provisioner.provision.phases;

import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * What {@code doctor} asks of the farm's admin account, through the same session db_provision uses: the login
 * itself (same address parsing, same error messages), the privileges db_provision needs, and the shared tables it
 * grants on. Blocking.
 */
public final class AdminAccountProbe {
  private AdminAccountProbe() {}

  /**
   * The findings. {@code grants} are SHOW GRANTS lines with any password hash removed; {@code missingPrivileges}
   * names what db_provision needs and no grant on {@code *.*} gives (privileges that come through a role are
   * not followed); {@code missingTables} are shared tables that do not exist.
   */
  public record Report(String serverVersion, Duration loginTime, List<String> grants, List<String> missingPrivileges,
      List<String> missingTables) {}

  /** @throws ProvisionException the login failed, with db_provision's own message (what to fix) */
  public static Report probe(Vertx vertx, AppConfig.WikiDb cfg, Duration timeout) throws ProvisionException {
    long started = System.nanoTime();
    try (DbAdminSession session = DbAdminSession.open(vertx, cfg, timeout)) {
      Duration login = Duration.ofNanos(System.nanoTime() - started);
      String version = session.serverVersion();
      List<String> grants = new ArrayList<>();
      for (String grant : session.ownGrants()) {
        grants.add(grant.replaceAll("(?i)\\s+IDENTIFIED\\s+(BY|VIA|WITH)\\s.*?(?=\\s+WITH\\s+GRANT\\s+OPTION|$)", ""));
      }
      List<String> missingTables = new ArrayList<>();
      for (String table : cfg.sharedTables()) {
        if (!session.tableExists(cfg.sharedDbName(), table)) {
          missingTables.add(cfg.sharedDbName() + "." + table);
        }
      }
      return new Report(version, login, grants, missingPrivileges(grants), missingTables);
    }
  }

  /** CREATE USER (new wiki users) and GRANT OPTION (their grants), both on *.*. */
  static List<String> missingPrivileges(List<String> grants) {
    boolean createUser = false;
    boolean grantOption = false;
    for (String grant : grants) {
      String g = grant.toUpperCase(Locale.ROOT);
      if (!g.matches("^GRANT .+ ON \\*\\.\\* TO .*")) {
        continue;
      }
      String privileges = g.substring("GRANT ".length(), g.indexOf(" ON *.* TO "));
      createUser |= privileges.contains("ALL PRIVILEGES") || privileges.contains("CREATE USER");
      grantOption |= g.endsWith("WITH GRANT OPTION") || g.contains(" WITH GRANT OPTION ");
    }
    List<String> missing = new ArrayList<>();
    if (!createUser) {
      missing.add("CREATE USER");
    }
    if (!grantOption) {
      missing.add("GRANT OPTION");
    }
    return missing;
  }
}
