package org.wikifarm.provisioner.cli;

import java.util.logging.LogManager;

/**
 * java.util.logging's own shutdown hook resets (closes) every handler while other hooks still run, so the
 * lines our graceful shutdown logs would race it and often vanish. This manager ignores that reset; the
 * service's shutdown hook resets it last, after the node has stopped. Installed by {@link Main} before
 * anything logs.
 */
public final class ShutdownLogManager extends LogManager {
  private static volatile boolean shuttingDownDone;

  @Override
  public void reset() {
    if (shuttingDownDone || !isJvmShuttingDown()) {
      super.reset(); // ordinary (re)configuration
    }
  }

  /** Called at the very end of the service's shutdown hook. */
  static void resetAfterShutdown() {
    shuttingDownDone = true;
    if (LogManager.getLogManager() instanceof ShutdownLogManager manager) {
      manager.reset();
    }
  }

  private static boolean isJvmShuttingDown() {
    try {
      Thread probe = new Thread(() -> { });
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
