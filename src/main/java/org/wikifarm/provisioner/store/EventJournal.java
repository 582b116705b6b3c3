package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * The replay journal of a task's events: a Redis stream {@code task:<id>:events}, capped and expiring after
 * the retention period. Stream entry ids ("ms-seq") are the SSE event ids, so they are unique, ordered and
 * comparable across nodes. Written by the enqueue step (the first {@code queued} entry, see {@link TaskQueue}) and
 * then only by the SSE bridge of the node running the task.
 */
public final class EventJournal {
  private static final Pattern ID = Pattern.compile("\\d{1,20}-\\d{1,20}");
  /**
   * One append in one round trip, atomically: the entry (capped) and the stream's expiry. Two commands cost
   * every POST and every journaled event a second sequential round trip, and a failure between them left a
   * stream that never expired.
   */
  private static final String APPEND = """
      local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[3])
      redis.call('PEXPIRE', KEYS[1], ARGV[2])
      return id""";

  private final RedisAPI redis;
  private final RedisKeys keys;
  private final String maxLen;
  private final String retentionMs;

  public EventJournal(RedisAPI redis, RedisKeys keys, AppConfig.Redis config) {
    this.redis = redis;
    this.keys = keys;
    this.maxLen = Integer.toString(config.journalMaxEvents());
    this.retentionMs = Long.toString(config.journalRetention().toMillis());
  }

  /** Appends an event; the future carries its id. */
  public Future<String> append(String taskId, TaskEvent event) {
    return redis.eval(List.of(APPEND, "1", keys.taskEvents(taskId), maxLen, retentionMs, event.toJson().encode()))
        .map(Response::toString);
  }

  /** Entries after {@code lastId} (exclusive), or all of them when it is null. */
  public Future<List<TaskEvent.Journaled>> after(String taskId, String lastId) {
    return redis.xrange(List.of(keys.taskEvents(taskId), lastId == null ? "-" : "(" + lastId, "+")).map(r -> {
      List<TaskEvent.Journaled> entries = new ArrayList<>();
      if (r == null) {
        return entries;
      }
      for (Response item : r) {
        Response fields = item.get(1);
        for (int i = 0; i + 1 < fields.size(); i += 2) {
          if ("e".equals(fields.get(i).toString())) {
            entries.add(new TaskEvent.Journaled(item.get(0).toString(),
                TaskEvent.fromJson(new JsonObject(fields.get(i + 1).toString()))));
          }
        }
      }
      return entries;
    });
  }

  /**
   * Orders journal ids ("ms-seq") numerically without parsing them into longs, so no header value can
   * overflow; null (an event that could not be journaled) sorts first. Allocation-free: every SSE client runs
   * it on every live event it is sent.
   */
  public static int compare(String a, String b) {
    if (a == null || b == null) {
      return a == null ? (b == null ? 0 : -1) : 1;
    }
    int dashA = a.indexOf('-');
    int dashB = b.indexOf('-');
    int byMillis = compareDigits(a, 0, dashA, b, 0, dashB);
    return byMillis != 0 ? byMillis : compareDigits(a, dashA + 1, a.length(), b, dashB + 1, b.length());
  }

  /** Whether a Last-Event-ID header value has the shape of a journal id (anything else is ignored). */
  public static boolean isId(String s) {
    return s != null && ID.matcher(s).matches();
  }

  /** Compares the digit runs {@code a[fromA, toA)} and {@code b[fromB, toB)} as numbers (leading zeros ignored). */
  private static int compareDigits(String a, int fromA, int toA, String b, int fromB, int toB) {
    while (fromA < toA - 1 && a.charAt(fromA) == '0') {
      fromA++;
    }
    while (fromB < toB - 1 && b.charAt(fromB) == '0') {
      fromB++;
    }
    int lengthA = toA - fromA;
    int lengthB = toB - fromB;
    if (lengthA != lengthB) {
      return Integer.compare(lengthA, lengthB);
    }
    for (int i = 0; i < lengthA; i++) {
      int c = Character.compare(a.charAt(fromA + i), b.charAt(fromB + i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
