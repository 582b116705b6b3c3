package org.wikifarm.provisioner.cli;

import java.io.PrintStream;
import java.util.List;

/** Lets tests in other packages call {@link Main#run} without System.exit. */
public final class MainAccess {
  private MainAccess() {}

  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return Main.run(args, out, err);
  }
}
