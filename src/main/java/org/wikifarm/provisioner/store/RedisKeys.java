package org.wikifarm.provisioner.store;

/** Every Redis key the service uses, under one configurable prefix ({@code wikifarm:} by default). */
public final class RedisKeys {
  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  /** What every key starts with ({@code redis.key-prefix}); the prune command scans below it. */
  public String prefix() {
    return prefix;
  }

  /** Request extras the task rows have no column for (e.g. the template name). Hash, expires. */
  public String taskSpec(String taskId) {
    return prefix + "task:" + taskId + ":spec";
  }

  /** Lease of a running task: value = owner token, PX = lease TTL, renewed by heartbeat. */
  public String taskLease(String taskId) {
    return prefix + "task:" + taskId + ":lease";
  }

  /** Rollback ledger: list of JSON entries in creation order. */
  public String taskLedger(String taskId) {
    return prefix + "task:" + taskId + ":ledger";
  }

  /** Phases completed, for resume. Set. */
  public String taskDone(String taskId) {
    return prefix + "task:" + taskId + ":done";
  }

  /** SSE replay journal: a capped stream of events, expiring after the retention period. */
  public String taskEvents(String taskId) {
    return prefix + "task:" + taskId + ":events";
  }

  /** Idempotency-Key record: JSON {body hash, task id}, 24 h. */
  public String idempotency(long ownerId, String keyHash) {
    return prefix + "idem:" + ownerId + ":" + keyHash;
  }

  /** Recent durations of one phase in milliseconds, newest first (capped list, no expiry). */
  public String phaseDurations(String phase) {
    return prefix + "phase:" + phase + ":durations";
  }

  /** Fixed-window create counter per owner. */
  public String createRate(long ownerId, long window) {
    return prefix + "rate:create:" + ownerId + ":" + window;
  }
}
