package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/** Concurrent duplicates are decided by the unique index: exactly one wins, every other request gets 409. */
class ConcurrentCreateTest {

  @Test
  void fiftyParallelCreatesWithTheSameSlugYieldOneWikiAndOneTask() throws Exception {
    TestInfra.truncateMetadata();
    try (RunningService service = RunningService.startApiOnly(); TestDb db = new TestDb()) {
      ExecutorService pool = Executors.newFixedThreadPool(50);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        String body = ApiClient.createBody("Race " + i, "race-slug");
        results.add(pool.submit(() -> {
          go.await();
          return service.client.postJson("/provisioner/v1/wikis", body).status();
        }));
      }
      go.countDown();
      int accepted = 0;
      int conflicts = 0;
      for (Future<Integer> f : results) {
        int status = f.get();
        if (status == 202) {
          accepted++;
        } else if (status == 409) {
          conflicts++;
        }
      }
      pool.shutdown();
      assertEquals(1, accepted, "exactly one 202");
      assertEquals(49, conflicts, "every other request is a 409");
      assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_wikis WHERE slug = 'race-slug'"));
      assertEquals(1, db.count("SELECT COUNT(*) FROM wikifarm_tasks"));
    }
  }
}
