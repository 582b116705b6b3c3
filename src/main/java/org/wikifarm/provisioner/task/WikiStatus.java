package org.wikifarm.provisioner.task;

/** {@code wikifarm_wikis.status}: pending while its create task runs, then ready, or failed when left over. */
public enum WikiStatus {
  PENDING, READY, FAILED, DELETING;

  /** The value stored in the database and shown in Wiki JSON. */
  public String wire() {
    return name().toLowerCase();
  }

  public static WikiStatus fromWire(String wire) {
    for (WikiStatus s : values()) {
      if (s.wire().equals(wire)) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown wiki status: " + wire);
  }
}
