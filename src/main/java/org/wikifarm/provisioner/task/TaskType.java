package org.wikifarm.provisioner.task;

/**
 * The kinds of task, as stored in {@code wikifarm_tasks.type}. Each has its own phase list and its own way of
 * ending (the worker's {@code TaskKind}); everything else — claim, lease, ledger, resume, events — is shared.
 * {@code delete_wiki} exists in the database only with the v2 migration.
 */
public enum TaskType {
  CREATE_WIKI("create_wiki"),
  DELETE_WIKI("delete_wiki");

  private final String wire;

  TaskType(String wire) {
    this.wire = wire;
  }

  /** The value stored in the database and shown to clients. */
  public String wire() {
    return wire;
  }

  public static TaskType fromWire(String wire) {
    for (TaskType t : values()) {
      if (t.wire.equals(wire)) {
        return t;
      }
    }
    throw new IllegalArgumentException("unknown task type: " + wire);
  }
}
