package org.wikifarm.provisioner.embedded;

import java.io.File;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Host tools some tests need (php, openssl, a Docker engine, MediaWiki). On a developer's fresh machine a
 * missing tool skips the test with the reason; in CI ({@code CI=true}, where {@code .ci/run} installs them) a
 * missing tool fails the test, so nothing is silently skipped there.
 */
public final class Prerequisites {
  private Prerequisites() {}

  public static boolean inCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Requires an executable on the PATH (or an absolute path). */
  public static String command(String name) {
    String found = which(name);
    check(found != null, name + " is not installed (apt-get install " + name + "; .ci/run installs it)");
    return found;
  }

  public static void check(boolean present, String reason) {
    if (present) {
      return;
    }
    if (inCi()) {
      Assertions.fail("prerequisite missing in CI: " + reason);
    }
    Assumptions.abort("skipped: " + reason);
  }

  public static String which(String name) {
    if (name.startsWith("/")) {
      return new File(name).canExecute() ? name : null;
    }
    String path = System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    for (String dir : (path + ":/usr/sbin:/sbin").split(":")) {
      File f = new File(dir, name);
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    return null;
  }
}
