package org.wikifarm.provisioner.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.embedded.TestConfigs;
import org.wikifarm.provisioner.embedded.TestInfra;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskId;

/**
 * A journal append (the POST's and every bridged event's Redis work) is one command from the service: the entry
 * and the stream's expiry are written together, never as two sequential round trips (issue 15).
 */
class EventJournalTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void anAppendIsOneCommandThatWritesTheEntryAndTheExpiryTogether() throws Exception {
    AppConfig config = TestConfigs.config(Files.createTempDirectory(TestInfra.scratch(), "journal"));
    RedisKeys keys = new RedisKeys(config.redis().keyPrefix());
    String taskId = TaskId.newId();
    String stream = keys.taskEvents(taskId);
    Vertx vertx = Vertx.vertx();
    Redis client = Redises.client(vertx, config.redis());
    try (Socket monitor = new Socket("127.0.0.1", TestInfra.redis().port())) {
      BufferedReader lines = new BufferedReader(new InputStreamReader(monitor.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = monitor.getOutputStream();
      out.write("MONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertEquals("+OK", lines.readLine());

      RedisAPI redis = RedisAPI.api(client);
      EventJournal journal = new EventJournal(redis, keys, config.redis());
      String id = Blocking.await(journal.append(taskId, TaskEvent.queued()), WAIT);
      String marker = "end-of-test-" + taskId;
      Blocking.await(redis.get(marker), WAIT);

      // every command a client sent that names the stream; commands run inside a script show as "[0 lua]"
      List<String> fromClients = new ArrayList<>();
      for (String line = lines.readLine(); line != null && !line.contains(marker); line = lines.readLine()) {
        if (line.contains(stream) && !line.contains(" lua]")) {
          fromClients.add(line);
        }
      }
      assertEquals(1, fromClients.size(), "one round trip per append, got: " + fromClients);

      long ttl = Blocking.await(redis.pttl(stream), WAIT).toLong();
      assertTrue(ttl > 0 && ttl <= config.redis().journalRetention().toMillis(), "expiry set with the entry: " + ttl);
      List<TaskEvent.Journaled> entries = Blocking.await(journal.after(taskId, null), WAIT);
      assertEquals(1, entries.size());
      assertEquals(id, entries.get(0).id());
      assertTrue(EventJournal.isId(id), id);
    } finally {
      client.close();
      vertx.close();
    }
  }
}
