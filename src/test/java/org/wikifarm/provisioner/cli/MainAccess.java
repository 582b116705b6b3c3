package org.wikifarm.provisioner.cli;

import java.io.PrintStream;
import java.util.List;
import org.wikifarm.provisioner.worker.Checkpoints;

/** Lets tests in other packages call {@link Main#run} without System.exit. */
public final class MainAccess {
  private MainAccess() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return Main.run(args, out, err);
  }

  /** The fat jar's entry point with a test's {@link Checkpoints} installed in the served node. */
  public static int run(List<String> args, PrintStream out, PrintStream err, Checkpoints checkpoints) {
    Main.configureLogging();
    return Main.run(args, out, err, checkpoints);
  }
}
