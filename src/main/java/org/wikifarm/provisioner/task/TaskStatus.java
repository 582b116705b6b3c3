package org.wikifarm.provisioner.task;

/** {@code wikifarm_tasks.status}: queued → running → succeeded | failed. */
public enum TaskStatus {
  QUEUED, RUNNING, SUCCEEDED, FAILED;

  /** The value stored in the database and sent in events ({@code queued}, …). */
  public String wire() {
    return name().toLowerCase();
  }

  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED;
  }

  public static TaskStatus fromWire(String wire) {
    for (TaskStatus s : values()) {
      if (s.wire().equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown task status: " + wire);
  }
}
