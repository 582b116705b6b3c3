package org.wikifarm.provisioner.sse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * Issue 15: 5,000 SSE clients connecting at once to running tasks are all served — none refused (each new
 * stream used to look its task up on the 8-connection database pool, whose wait queue of 1,024 turned the rest
 * into 503s) — every stream ends with its task's terminal event, and the log does not get a line per client.
 */
class SseBurstTest {
  private static final int CLIENTS = 5_000;
  private static final int TASKS = 2; // the worker runs two at once: one wave

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fiveThousandClientsAtOnceAreAllServedToTheTerminalEvent() throws Exception {
    TestInfra.truncateMetadata();
    WarningCounter warnings = new WarningCounter();
    Vertx clientVertx = Vertx.vertx();
    try (RunningService service = RunningService.start(json -> json.getJsonObject("executor")
        // the tasks are still running while the burst connects, so the clients see live events and the end
        .put("install-commands", new JsonArray().add(new JsonArray().add("sleep").add("3"))))) {
      List<String> tasks = new ArrayList<>();
      for (int i = 0; i < TASKS; i++) {
        ApiClient.Response created = service.client.postJson("/provisioner/v1/wikis",
            ApiClient.createBody("Burst " + i, "burst-" + i + "-" + System.nanoTime() % 100000));
        assertEquals(202, created.status(), created.body());
        tasks.add(created.json().getString("task_id"));
      }
      HttpClientAgent client = clientVertx.createHttpClient(
          new HttpClientOptions().setConnectTimeout(60_000).setIdleTimeout(0),
          new PoolOptions().setHttp1MaxSize(CLIENTS).setMaxWaitQueueSize(-1));

      Logger.getLogger("").addHandler(warnings);
      List<Future<String>> outcomes = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        String task = tasks.get(i % TASKS);
        outcomes.add(OnEventLoop.chain(clientVertx, () -> stream(client, service.app.httpPort(), task)));
      }
      long t0 = System.nanoTime();
      Future.join(outcomes).toCompletionStage().toCompletableFuture().get(100, TimeUnit.SECONDS);
      System.out.println("burst: all streams ended after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
      Logger.getLogger("").removeHandler(warnings);

      Map<String, Integer> byOutcome = new TreeMap<>();
      for (Future<String> outcome : outcomes) {
        byOutcome.merge(outcome.succeeded() ? outcome.result() : "failed: " + outcome.cause(), 1, Integer::sum);
      }
      assertEquals(Map.of("200 ended with status", CLIENTS), byOutcome,
          "every client gets its stream and the task's end, none is refused");
      assertTrue(warnings.count.get() < 10, warnings.count + " warnings during the burst, e.g. " + warnings.first);
    } finally {
      Logger.getLogger("").removeHandler(warnings);
      clientVertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** One client: "200 ended with status" when the stream ends right after a terminal event, else what it got. */
  private static Future<String> stream(HttpClientAgent client, int port, String taskId) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/provisioner/v1/tasks/" + taskId + "/events");
    return client.request(options).compose(HttpClientRequest::send).compose(response -> {
      if (response.statusCode() != 200) {
        return response.body().map(body -> response.statusCode() + " " + body);
      }
      Promise<String> ended = Promise.promise();
      StringBuilder tail = new StringBuilder(); // the last bytes: enough to see the final frame
      response.handler(chunk -> {
        tail.append(chunk.toString());
        if (tail.length() > 4096) {
          tail.delete(0, tail.length() - 2048);
        }
      });
      response.endHandler(v -> {
        int lastFrame = tail.lastIndexOf("event: ");
        boolean terminal = lastFrame >= 0 && tail.indexOf("event: status\n", lastFrame) == lastFrame;
        ended.complete(terminal ? "200 ended with status" : "200 ended without status: " + tail);
      });
      response.exceptionHandler(ended::tryFail);
      return ended.future();
    });
  }

  /** Counts WARNING and worse records of the service while the burst runs. */
  private static final class WarningCounter extends Handler {
    final AtomicInteger count = new AtomicInteger();
    volatile String first;

    @Override
    public void publish(LogRecord record) {
      if (record.getLevel().intValue() >= Level.WARNING.intValue() && count.getAndIncrement() == 0) {
        first = record.getLoggerName() + ": " + record.getMessage();
      }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  }
}
