package org.wikifarm.provisioner.store;

import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.task.TaskStatus;

/**
 * Removes Redis keys (see {@link RedisKeys}) that outlived their use and would otherwise wait for a long safety
 * TTL or, without one, stay forever: journals without an expiry whose task ended longer ago than the retention,
 * ledgers, done-sets and extras of ended tasks, keys of tasks MariaDB no longer has, and idempotency records
 * that never expire or hold a claim whose request died before committing. A queued or running task's keys are
 * never touched, nor the keys of a task whose row is missing while it still holds a lease (another database?).
 * Blocking: for the command line.
 */
public final class RedisPrune {
  private static final Duration WAIT = Duration.ofSeconds(30);
  /** A pending idempotency claim older than this whose task never appeared belongs to a request that died. */
  private static final Duration STALE_CLAIM = Duration.ofMinutes(5);

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final OperatorStore store;
  private final AppConfig.Redis config;

  public RedisPrune(RedisAPI redis, RedisKeys keys, OperatorStore store, AppConfig.Redis config) {
    this.redis = redis;
    this.keys = keys;
    this.store = store;
    this.config = config;
  }

  /** How many keys of each kind were (or, in a dry run, would be) removed, and how many were looked at. */
  public record Report(int journals, int ledgers, int extras, int idempotencyKeys, int scanned) {}

  /**
   * @param keepFailed how long the ledger of a failed task is kept (it names what a rollback left behind)
   * @param dryRun count only
   */
  public Report prune(Duration keepFailed, boolean dryRun) throws Exception {
    String taskPrefix = keys.prefix() + "task:";
    Map<String, List<String>> byTask = new LinkedHashMap<>();
    List<String> taskKeys = scan(glob(taskPrefix) + "*");
    for (String key : taskKeys) {
      int colon = key.lastIndexOf(':');
      if (colon > taskPrefix.length()) {
        byTask.computeIfAbsent(key.substring(taskPrefix.length(), colon), k -> new ArrayList<>()).add(key);
      }
    }
    Map<String, Task> rows = rows(new ArrayList<>(byTask.keySet()));
    int journals = 0;
    int ledgers = 0;
    int extras = 0;
    Instant now = Instant.now();
    for (Map.Entry<String, List<String>> entry : byTask.entrySet()) {
      String taskId = entry.getKey();
      Task row = rows.get(taskId);
      boolean leased = entry.getValue().contains(keys.taskLease(taskId));
      if ((row == null && leased) || (row != null && !row.status().terminal())) {
        continue;
      }
      Instant ended = row == null ? null : row.finishedAt();
      for (String key : entry.getValue()) {
        if (key.equals(keys.taskEvents(taskId))) {
          boolean noExpiry = ttlMillis(key) == -1;
          boolean old = ended == null || ended.isBefore(now.minus(config.journalRetention()));
          if (row == null || (noExpiry && old)) {
            journals += delete(key, dryRun);
          }
        } else if (key.equals(keys.taskLedger(taskId)) || key.equals(keys.taskDone(taskId))) {
          boolean keep = row != null && row.status() == TaskStatus.FAILED && ended != null
              && ended.isAfter(now.minus(keepFailed));
          if (!keep) {
            ledgers += delete(key, dryRun);
          }
        } else if (key.equals(keys.taskSpec(taskId))) {
          extras += delete(key, dryRun);
        }
      }
    }
    List<String> idemKeys = scan(glob(keys.prefix() + "idem:") + "*");
    int idempotency = 0;
    for (String key : idemKeys) {
      if (staleIdempotency(key)) {
        idempotency += delete(key, dryRun);
      }
    }
    return new Report(journals, ledgers, extras, idempotency, taskKeys.size() + idemKeys.size());
  }

  /** A record that never expires, or a pending claim whose task never got a row. */
  private boolean staleIdempotency(String key) throws Exception {
    long ttl = ttlMillis(key);
    if (ttl == -1) {
      return true;
    }
    Response value = Blocking.await(redis.get(key), WAIT);
    if (value == null) {
      return false; // expired meanwhile
    }
    JsonObject record = new JsonObject(value.toString());
    long ageMillis = config.idempotencyTtl().toMillis() - ttl;
    return "pending".equals(record.getString("state")) && ageMillis > STALE_CLAIM.toMillis()
        && rows(List.of(record.getString("task_id", ""))).isEmpty();
  }

  private Map<String, Task> rows(List<String> ids) throws Exception {
    Map<String, Task> rows = new HashMap<>();
    for (int i = 0; i < ids.size(); i += 500) {
      List<String> batch = ids.subList(i, Math.min(ids.size(), i + 500));
      for (Task t : Blocking.await(store.tasksById(batch), WAIT)) {
        rows.put(t.id(), t);
      }
    }
    return rows;
  }

  private List<String> scan(String pattern) throws Exception {
    List<String> found = new ArrayList<>();
    String cursor = "0";
    do {
      Response page = Blocking.await(redis.scan(List.of(cursor, "MATCH", pattern, "COUNT", "500")), WAIT);
      cursor = page.get(0).toString();
      page.get(1).forEach(k -> found.add(k.toString()));
    } while (!cursor.equals("0"));
    return found;
  }

  private long ttlMillis(String key) throws Exception {
    return Blocking.await(redis.pttl(key), WAIT).toLong();
  }

  private int delete(String key, boolean dryRun) throws Exception {
    if (dryRun) {
      return 1;
    }
    return Blocking.await(redis.del(List.of(key)), WAIT).toInteger();
  }

  /** The prefix as a literal in a SCAN pattern: glob characters escaped. */
  private static String glob(String literal) {
    return literal.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }
}
