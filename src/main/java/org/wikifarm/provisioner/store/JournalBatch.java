package org.wikifarm.provisioner.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * Several events of one task appended to its {@link EventJournal} stream in one pipelined round trip (every
 * XADD, then one PEXPIRE), for the SSE bridge, whose events pile up while a write is in flight and whose last
 * events of a task are emitted together. Same entries, caps and retention as {@link EventJournal#append}.
 */
public final class JournalBatch {
  private final Redis redis;
  private final RedisKeys keys;
  private final AppConfig.Redis config;

  public JournalBatch(Redis redis, RedisKeys keys, AppConfig.Redis config) {
    this.redis = redis;
    this.keys = keys;
    this.config = config;
  }

  /** Appends the events in order; the ids in the same order. A failure fails the whole batch. */
  public Future<List<String>> appendAll(String taskId, List<TaskEvent> events) {
    String key = keys.taskEvents(taskId);
    List<Request> commands = new ArrayList<>(events.size() + 1);
    for (TaskEvent event : events) {
      commands.add(Request.cmd(Command.XADD).arg(key).arg("MAXLEN").arg("~").arg(config.journalMaxEvents()).arg("*")
          .arg("e").arg(event.toJson().encode()));
    }
    commands.add(Request.cmd(Command.PEXPIRE).arg(key).arg(config.journalRetention().toMillis()));
    return redis.batch(commands).map(replies -> {
      List<String> ids = new ArrayList<>(events.size());
      for (Response reply : replies.subList(0, events.size())) {
        ids.add(reply.toString());
      }
      return ids;
    });
  }
}
