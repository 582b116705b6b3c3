package org.wikifarm.provisioner.worker;

import org.wikifarm.provisioner.support.Blocking;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.wikifarm.provisioner.provision.InMemoryLedger;
import org.wikifarm.provisioner.provision.LedgerEntry;
import org.wikifarm.provisioner.provision.RollbackLedger;
import org.wikifarm.provisioner.store.RedisKeys;

/**
 * The rollback ledger of one task in Redis: a list of JSON entries ({@code task:<id>:ledger}) and a set of
 * completed phases ({@code task:<id>:done}). A write returns only after Redis acknowledged it, which is what
 * makes "record before create" crash-safe. Only the lease holder writes, so an in-memory copy serves reads;
 * if Redis lost the keys (a restart without persistence) the next write puts the whole copy back. Each write
 * is one script (one round trip, applied atomically), not a sequence of awaited commands.
 */
final class RedisLedger implements RollbackLedger {
  /** Safety net for abandoned ledgers; a finished task clears its keys. */
  private static final String KEEP_SECONDS = Long.toString(Duration.ofDays(30).toSeconds());
  private static final Duration PATIENCE = Duration.ofMinutes(2);
  /** KEYS[1] ledger; ARGV[1] entry, ARGV[2] seconds to keep: appends, renews the TTL, returns the length. */
  private static final String APPEND = "local n = redis.call('RPUSH', KEYS[1], ARGV[1]) "
      + "redis.call('EXPIRE', KEYS[1], ARGV[2]) return n";
  /**
   * KEYS[1] done-set, KEYS[2] ledger; ARGV[1] seconds to keep, ARGV[2..] every done phase: adds them, renews
   * the TTL, returns the ledger's length (so a list lost in a Redis restart is noticed and put back).
   */
  private static final String MARK_DONE = "redis.call('SADD', KEYS[1], unpack(ARGV, 2)) "
      + "redis.call('EXPIRE', KEYS[1], ARGV[1]) return redis.call('LLEN', KEYS[2])";

  private final RedisAPI redis;
  private final String ledgerKey;
  private final String doneKey;
  /** The authoritative copy: only the lease holder writes, so Redis mirrors this and reads never go there. */
  private final InMemoryLedger memory = new InMemoryLedger();

  private RedisLedger(RedisAPI redis, RedisKeys keys, String taskId) {
    this.redis = redis;
    this.ledgerKey = keys.taskLedger(taskId);
    this.doneKey = keys.taskDone(taskId);
  }

  /**
   * Reads what an earlier run of the task recorded (empty for a fresh task): the list and the set, asked
   * together. The caller waits for it (and retries) together with its other reads.
   */
  static Future<RedisLedger> read(RedisAPI redis, RedisKeys keys, String taskId) {
    RedisLedger ledger = new RedisLedger(redis, keys, taskId);
    Future<Response> list = redis.lrange(ledger.ledgerKey, "0", "-1");
    Future<Response> members = redis.smembers(ledger.doneKey);
    return Future.all(list, members).map(both -> {
      for (Response item : list.result()) {
        ledger.memory.record(LedgerEntry.fromJson(new JsonObject(item.toString())));
      }
      for (Response item : members.result()) {
        ledger.memory.markDone(item.toString());
      }
      return ledger;
    });
  }

  @Override
  public synchronized void record(LedgerEntry entry) {
    if (memory.entries().contains(entry)) {
      return;
    }
    memory.record(entry);
    int size = memory.entries().size();
    write(() -> redis.eval(List.of(APPEND, "1", ledgerKey, entry.toJson().encode(), KEEP_SECONDS))
        .compose(length -> length.toLong() == size ? io.vertx.core.Future.succeededFuture(length)
            // the list was lost or diverged (Redis restarted empty): rewrite it from the authoritative copy
            : rewriteEntries()));
  }

  private Future<Response> rewriteEntries() {
    List<LedgerEntry> entries = memory.entries();
    if (entries.isEmpty()) {
      return redis.del(List.of(ledgerKey));
    }
    List<String> args = new ArrayList<>();
    args.add(ledgerKey);
    entries.forEach(e -> args.add(e.toJson().encode()));
    return redis.del(List.of(ledgerKey)).compose(v -> redis.rpush(args))
        .compose(v -> redis.expire(List.of(ledgerKey, KEEP_SECONDS)));
  }

  @Override
  public synchronized List<LedgerEntry> entries() {
    return memory.entries();
  }

  @Override
  public synchronized void markDone(String phase) {
    memory.markDone(phase);
    int size = memory.entries().size();
    List<String> args = new ArrayList<>(List.of(MARK_DONE, "2", doneKey, ledgerKey, KEEP_SECONDS));
    args.addAll(memory.donePhases()); // all of them, so a set lost in a restart is complete again
    // Phases 5-7 record nothing, so after a Redis restart during them no record() would put the lost list
    // back: a crash then resumed with "all done" but an empty ledger, and a later failure rolled back
    // nothing (leftovers). The script returns the list's length, and a short list is restored from memory.
    write(() -> redis.eval(args)
        .compose(length -> length.toLong() == size ? io.vertx.core.Future.succeededFuture(length)
            : rewriteEntries()));
  }

  @Override
  public synchronized Set<String> donePhases() {
    return memory.donePhases();
  }

  @Override
  public synchronized void clear() {
    memory.clear();
    write(() -> redis.del(List.of(ledgerKey, doneKey)));
  }

  private void write(java.util.function.Supplier<Future<Response>> action) {
    try {
      Blocking.retrying("writing the rollback ledger to Redis", PATIENCE, action);
    } catch (Exception e) {
      throw new IllegalStateException("Redis did not accept the rollback ledger for 2 minutes; "
          + "check that Redis is reachable", e);
    }
  }
}
