package org.wikifarm.provisioner.sse;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import org.wikifarm.provisioner.task.EventBusAddresses;
import org.wikifarm.provisioner.task.TaskEvent;

/**
 * One event-bus consumer per watched task per node, however many SSE clients watch it. Clients may live on
 * different event loops (several HTTP verticle instances): each delivery runs on the subscriber's own context.
 * The consumer is removed with the last subscriber.
 */
public final class TaskEventHub {
  private final Vertx vertx;
  private final Map<String, Topic> topics = new HashMap<>();

  public TaskEventHub(Vertx vertx) {
    this.vertx = vertx;
  }

  /** A client's registration; {@link #ready()} completes once the consumer reaches the whole cluster. */
  public interface Subscription {
    Future<Void> ready();

    void cancel();
  }

  private final class Topic {
    final String taskId;
    final Set<Subscriber> subscribers = new CopyOnWriteArraySet<>();
    final MessageConsumer<JsonObject> consumer;

    Topic(String taskId) {
      this.taskId = taskId;
      this.consumer = vertx.eventBus().consumer(EventBusAddresses.task(taskId),
          message -> {
            TaskEvent.Journaled event = TaskEvent.Journaled.fromJson(message.body()); // decoded once per node
            subscribers.forEach(s -> s.context.runOnContext(v -> s.handler.handle(event)));
          });
    }
  }

  private record Subscriber(Context context, Handler<TaskEvent.Journaled> handler) {}

  public Subscription subscribe(String taskId, Context context, Handler<TaskEvent.Journaled> handler) {
    Subscriber subscriber = new Subscriber(context, handler);
    Topic topic;
    synchronized (topics) {
      topic = topics.computeIfAbsent(taskId, Topic::new);
      topic.subscribers.add(subscriber);
    }
    Future<Void> ready = topic.consumer.completion();
    return new Subscription() {
      @Override
      public Future<Void> ready() {
        return ready;
      }

      @Override
      public void cancel() {
        synchronized (topics) {
          topic.subscribers.remove(subscriber);
          if (topic.subscribers.isEmpty() && topics.get(taskId) == topic) {
            topics.remove(taskId);
            topic.consumer.unregister();
          }
        }
      }
    };
  }

}
