package org.wikifarm.provisioner.provision;

/**
 * A request to stop a task and roll it back (the CLI's Ctrl-C). The {@link Orchestrator} checks it before each
 * phase, and while a phase runs the phase's thread is interruptible by it, so a long command or wait ends early;
 * the phase then fails, and the orchestrator undoes the ledger as for any failure. The thread is interruptible
 * only inside a phase: rollback itself is never interrupted, and a pending interrupt is cleared before it starts.
 */
public final class Cancellation {
  private boolean requested;
  private String reason;
  private Thread interruptible;

  /** A cancellation nobody requests (the service's own runs). */
  public static Cancellation none() {
    return new Cancellation();
  }

  /** Requests the stop; interrupts the phase that is running, if any. Later calls change nothing. */
  public synchronized void cancel(String why) {
    if (requested) {
      return;
    }
    requested = true;
    reason = why;
    if (interruptible != null) {
      interruptible.interrupt();
    }
  }

  public synchronized boolean requested() {
    return requested;
  }

  /** Why it was requested, e.g. "interrupted from the terminal"; null when it was not. */
  public synchronized String reason() {
    return reason;
  }

  /** A piece of blocking work that may throw. */
  @FunctionalInterface
  interface Work {
    void run() throws Exception;
  }

  /** Runs {@code work} on this thread with the thread interruptible by {@link #cancel}; not at all once requested. */
  void interruptibly(Work work) throws Exception {
    synchronized (this) {
      if (requested) {
        throw new InterruptedException("cancelled: " + reason);
      }
      interruptible = Thread.currentThread();
    }
    try {
      work.run();
    } finally {
      synchronized (this) {
        interruptible = null;
        Thread.interrupted(); // an interrupt meant for the phase must not reach the rollback
      }
    }
  }
}
