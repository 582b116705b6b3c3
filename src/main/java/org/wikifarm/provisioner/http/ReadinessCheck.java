package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.function.Supplier;

/**
 * One dependency reported by {@code /ready}: a name and a quick check that fails when it is unusable.
 * {@code details}, when present, is shown under the check's name next to {@code dependencies} (e.g. the
 * cluster's member count), whether the check passed or not.
 */
public record ReadinessCheck(String name, Supplier<Future<?>> check, Supplier<JsonObject> details) {
  public ReadinessCheck(String name, Supplier<Future<?>> check) {
    this(name, check, null);
  }
}
