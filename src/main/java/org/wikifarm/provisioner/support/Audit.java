package org.wikifarm.provisioner.support;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.logging.Logger;

/**
 * The audit log (SPEC §8): one JSON line per state change — task created, claimed, resumed, finished; wiki
 * deleted; permissions, extensions, favicon or visibility changed; reconcile applied — with the time, the actor
 * (a user id, {@code operator}, or a node), the action, the target and the outcome. It goes to its own logger,
 * {@value #LOGGER}, so operators route it to its own file or collector. Callers never pass secrets.
 */
public final class Audit {
  public static final String LOGGER = "wikifarm.audit";
  private static final Logger LOG = Logger.getLogger(LOGGER);

  private Audit() {}

  /** Records one state change; {@code details} (may be null) holds extra, non-secret facts. */
  public static void record(String actor, String action, String target, String outcome, JsonObject details) {
    JsonObject line = new JsonObject().put("time", Instant.now().toString()).put("actor", actor)
        .put("action", action).put("target", target).put("outcome", outcome);
    if (details != null && !details.isEmpty()) {
      line.put("details", details);
    }
    LOG.info(line.encode());
  }
}
