package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import java.util.function.Supplier;

/** One dependency reported by {@code /ready}: a name and a quick check that fails when it is unusable. */
public record ReadinessCheck(String name, Supplier<Future<?>> check) {}
