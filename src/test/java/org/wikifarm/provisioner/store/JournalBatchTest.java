package org.wikifarm.provisioner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskId;
import org.wikifarm.provisioner.task.TaskStatus;

/** The SSE bridge's batched journal write, on the real Redis: the same entries {@link EventJournal} reads back. */
class JournalBatchTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void severalEventsAreJournaledInOrderWithTheirIdsAndTheRetention() throws Exception {
    AppConfig config = TestConfigs.config(Files.createTempDirectory(TestInfra.scratch(), "farm"));
    Vertx vertx = Vertx.vertx();
    try {
      Redis redis = Redis.createClient(vertx, TestInfra.redis().url());
      RedisKeys keys = new RedisKeys(config.redis().keyPrefix());
      String taskId = TaskId.newId();
      List<TaskEvent> events = List.of(
          TaskEvent.progress(TaskStatus.RUNNING, 90, "docker_index", "index"),
          TaskEvent.progress(TaskStatus.RUNNING, 95, "verify", "verify"),
          TaskEvent.finished(true, 100, 12L, "wiki created"));

      List<String> ids = await(new JournalBatch(redis, keys, config.redis()).appendAll(taskId, events));
      List<TaskEvent.Journaled> read = await(new EventJournal(RedisAPI.api(redis), keys, config.redis())
          .after(taskId, null));

      assertEquals(ids, read.stream().map(TaskEvent.Journaled::id).toList());
      assertEquals(events, read.stream().map(TaskEvent.Journaled::event).toList());
      long ttl = await(RedisAPI.api(redis).pttl(keys.taskEvents(taskId))).toLong();
      assertTrue(ttl > 0 && ttl <= config.redis().journalRetention().toMillis(), "expires: " + ttl);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return Blocking.await(future, WAIT);
  }
}
