package org.wikifarm.provisioner.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The SSE load client of {@link SseSection}, the same for the service and for {@link PlainSseBroadcast}: opens
 * streams on one Vert.x client, parses their frames and records each frame's delivery latency — receive time
 * minus the epoch milliseconds of its id ({@code <ms>-<seq>}: the service's journal id is Redis's clock at the
 * XADD right before the publish; the broadcast's is its clock at the write), both on this machine's clock.
 * It also says how long one frame took to reach all of its subscribers: a fan-out's length, first to last receipt.
 */
final class SseLoad implements AutoCloseable {
  private static final int MAX_MS = 60_000;

  private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
  private final HttpClientAgent client;
  /** Frames stamped before this (connect-time replays, earlier phases) are not counted. */
  private volatile long countFrom = Long.MAX_VALUE;
  private final AtomicLongArray latencies = new AtomicLongArray(MAX_MS + 1);
  /** Per counted frame (its stream's path and id): when its first and its last subscriber received it. */
  private final ConcurrentHashMap<String, long[]> arrivals = new ConcurrentHashMap<>();

  SseLoad(int maxConnections) {
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(60_000).setIdleTimeout(0),
        new PoolOptions().setHttp1MaxSize(maxConnections).setMaxWaitQueueSize(-1));
  }

  /** One stream: its status when the headers came, and whether it ended right after a terminal event. */
  record Stream(Future<Integer> status, Future<Boolean> endedWithStatus) {}

  Stream open(String url) {
    URI uri = URI.create(url);
    Promise<Integer> status = Promise.promise();
    Promise<Boolean> ended = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(uri.getHost())
        .setPort(uri.getPort()).setURI(uri.getRawPath());
    // built on an event loop: from this thread the handlers could be attached after the first chunks had been
    // delivered, which Vert.x 5 drops (eclipse-vertx/vert.x#5825)
    vertx.runOnContext(onLoop -> client.request(options).compose(HttpClientRequest::send).onComplete(ar -> {
      if (ar.failed()) {
        status.tryFail(ar.cause());
        ended.tryComplete(false);
        return;
      }
      HttpClientResponse response = ar.result();
      status.complete(response.statusCode());
      if (response.statusCode() != 200) {
        response.body().onComplete(b -> ended.tryComplete(false));
        return;
      }
      FrameParser parser = new FrameParser(uri.getRawPath());
      response.handler(parser::feed);
      response.endHandler(v -> ended.tryComplete(parser.lastWasStatus));
      response.exceptionHandler(e -> ended.tryComplete(false));
    }));
    return new Stream(status.future(), ended.future());
  }

  /** Opens streams {@code wave} at a time (each wave connected before the next): a crowd, not a burst. */
  List<Stream> openInWaves(List<String> urls, int wave) throws Exception {
    List<Stream> streams = new ArrayList<>();
    for (int i = 0; i < urls.size(); i += wave) {
      List<Future<Integer>> statuses = new ArrayList<>();
      for (String url : urls.subList(i, Math.min(urls.size(), i + wave))) {
        Stream stream = open(url);
        streams.add(stream);
        statuses.add(stream.status());
      }
      try {
        Future.join(statuses).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // a wave that does not connect in time shows up as streams without their end
      }
    }
    return streams;
  }

  /** Waits up to {@code seconds} for the streams to end; how many did not end with a terminal event. */
  static long awaitEnds(List<Stream> streams, long seconds) throws Exception {
    try {
      Future.join(streams.stream().map(Stream::endedWithStatus).toList())
          .toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      // counted below: a stream that never ends is a finding, not a reason to lose the section's other rows
    }
    return streams.stream().map(Stream::endedWithStatus)
        .filter(f -> !f.isComplete() || f.failed() || !f.result()).count();
  }

  /** Starts counting frames stamped from now on, forgetting what was counted before. */
  void countFromNow() {
    for (int i = 0; i <= MAX_MS; i++) {
      latencies.set(i, 0);
    }
    arrivals.clear();
    countFrom = System.currentTimeMillis();
  }

  long counted() {
    long n = 0;
    for (int i = 0; i <= MAX_MS; i++) {
      n += latencies.get(i);
    }
    return n;
  }

  /** The 99th percentile of the counted latencies, in ms. */
  double p99() {
    long total = counted();
    long rank = (long) Math.ceil(total * 0.99);
    long seen = 0;
    for (int i = 0; i <= MAX_MS; i++) {
      seen += latencies.get(i);
      if (seen >= rank && total > 0) {
        return i;
      }
    }
    return Double.NaN;
  }

  /** The median, over the counted frames, of the time from a frame's first subscriber to its last, in ms. */
  double medianFanOutMs() {
    long[] spreads = arrivals.values().stream().mapToLong(a -> a[1] - a[0]).sorted().toArray();
    return spreads.length == 0 ? Double.NaN : spreads[spreads.length / 2];
  }

  /** Splits one stream's bytes into frames (the events are ASCII); one per connection, on its event loop. */
  private final class FrameParser {
    private final String path;
    private final StringBuilder unparsed = new StringBuilder();
    boolean lastWasStatus;

    FrameParser(String path) {
      this.path = path;
    }

    void feed(io.vertx.core.buffer.Buffer chunk) {
      long now = System.currentTimeMillis();
      unparsed.append(chunk.toString());
      int end;
      while ((end = unparsed.indexOf("\n\n")) >= 0) {
        String block = unparsed.substring(0, end);
        unparsed.delete(0, end + 2);
        if (!block.contains("data: ")) {
          continue; // retry line, heartbeat
        }
        lastWasStatus = block.contains("event: status");
        int id = block.startsWith("id: ") ? 4 : -1;
        if (id < 0) {
          continue; // a synthesized event has no id, so no timestamp
        }
        int dash = block.indexOf('-', id);
        long stamped = Long.parseLong(block.substring(id, dash));
        if (stamped >= countFrom) {
          latencies.incrementAndGet((int) Math.max(0, Math.min(MAX_MS, now - stamped)));
          String event = path + " " + block.substring(id, block.indexOf('\n', dash));
          arrivals.compute(event, (key, seen) -> { // updated in place under the map's lock: one array per frame
            if (seen == null) {
              return new long[] {now, now};
            }
            seen[0] = Math.min(seen[0], now);
            seen[1] = Math.max(seen[1], now);
            return seen;
          });
        }
      }
    }
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
