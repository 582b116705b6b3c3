package org.wikifarm.provisioner.crash;

import java.nio.file.Path;
import java.util.Arrays;
import org.wikifarm.provisioner.cli.MainAccess;

/**
 * A service node for the crash tests: the fat jar's own entry point, with {@link PausingCheckpoints} reading
 * pause files from {@code -Dwikifarm.test.pause-dir}. Started as a separate JVM by {@link CrashKit}.
 */
public final class PausingNode {
  private PausingNode() {}

  public static void main(String[] args) {
    Path dir = Path.of(System.getProperty(PausingCheckpoints.PROPERTY));
    System.exit(MainAccess.run(Arrays.asList(args), System.out, System.err, new PausingCheckpoints(dir)));
  }
}
