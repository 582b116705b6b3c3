package org.wikifarm.provisioner.app;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.provision.PhaseContext;
import org.wikifarm.provisioner.provision.phases.FarmResources;
import org.wikifarm.provisioner.provision.phases.FarmResources.Kind;
import org.wikifarm.provisioner.provision.phases.FarmResources.Resource;
import org.wikifarm.provisioner.store.ResourceOwners;
import org.wikifarm.provisioner.store.ResourceOwners.Owner;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.support.Blocking;
import org.wikifarm.provisioner.task.TaskStatus;
import org.wikifarm.provisioner.task.WikiStatus;

/**
 * The CLI's {@code reconcile}: the farm's resources ({@link FarmResources}) weighed against the rows of record.
 *
 * <p>A proven resource is <b>live</b> while its task is queued or running (it may be creating or resuming it),
 * or while the wiki row its task points at exists — in any status: pending, ready, failed (a deletion or
 * rollback that left something keeps its row, and a new DELETE finishes it) or deleting — and has the
 * resource's slug. A partial copy is live only while its task is queued or running: no ended task uses one.
 * Every other proven resource is an <b>orphan</b>, and orphans are the only thing {@link #apply} removes.
 *
 * <p>Also reported, never touched: ready wikis whose directory, key directory or database is missing, and
 * unproven look-alikes whose slug no wiki row claims (the farm cannot tell them from an operator's own).
 */
public final class Reconciler {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** What a finding is. */
  public enum Finding {
    ORPHAN, MISSING, UNPROVEN;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** One line of the report; {@code resource} is what {@link #apply} removes (null for a missing one). */
  public record Item(Finding finding, Kind kind, String name, String taskId, String why, Resource resource) {}

  /** How removing one orphan went: removed, gone already (neither flag), or failed with {@code error}. */
  public record Removal(Item item, boolean removed, String error) {
    public boolean failed() {
      return error != null;
    }
  }

  private final AppConfig config;
  private final FarmResources resources;
  private final ResourceOwners rows;

  public Reconciler(Vertx vertx, AppConfig config, Pool pool) {
    this.config = config;
    this.resources = new FarmResources(vertx, config);
    this.rows = new ResourceOwners(pool);
  }

  /** Every finding: orphans first in the order of removal, then missing resources, then unproven ones. */
  public List<Item> scan() throws Exception {
    // Resources before rows: a task that ends in between is then seen ended (its rollback and a removal of
    // ours may overlap, and both only ever remove), never an ended task's resource seen as a running one's.
    FarmResources.Inventory inventory = resources.list();
    List<String> taskIds = inventory.resources().stream().filter(Resource::proven).map(Resource::taskId)
        .distinct().toList();
    Map<String, Owner> owners = Blocking.await(rows.owners(taskIds), WAIT);
    Map<String, WikiStatus> wikis = Blocking.await(rows.wikis(), WAIT);

    List<Item> items = new ArrayList<>();
    for (Resource r : inventory.resources()) {
      if (r.proven()) {
        String why = orphanedBecause(r, owners.get(r.taskId()));
        if (why != null) {
          items.add(new Item(Finding.ORPHAN, r.kind(), r.name(), r.taskId(), why, r));
        }
      } else if (!wikis.containsKey(r.slug())) {
        items.add(new Item(Finding.UNPROVEN, r.kind(), r.name(), null, r.lacks() + ": left alone", null));
      }
    }
    wikis.forEach((slug, status) -> {
      if (status == WikiStatus.READY) {
        missing(items, Kind.WIKI_DIR, config.farm().wikiDir().resolve(slug), slug);
        missing(items, Kind.KEY_DIR, config.farm().oauthDir().resolve(slug), slug);
        String db = PhaseContext.dbName(config.wikiDb().namePrefix(), slug);
        if (!inventory.databases().contains(db)) {
          items.add(new Item(Finding.MISSING, Kind.DATABASE, db, null, "wiki '" + slug + "' is ready but its "
              + "database is missing (report only)", null));
        }
      }
    });
    items.sort(Comparator.comparing(Item::finding).thenComparing(Item::kind).thenComparing(Item::name));
    return items;
  }

  /**
   * Removes the orphans of {@code items}, each only if its proof still names the same task, and writes one
   * audit line for each (actor {@code operator}). A failure does not stop the others.
   */
  public List<Removal> apply(List<Item> items) {
    List<Removal> done = new ArrayList<>();
    for (Item item : items) {
      if (item.finding() != Finding.ORPHAN) {
        continue;
      }
      JsonObject details = new JsonObject().put("task", item.taskId()).put("why", item.why());
      String target = item.kind().wire() + ":" + item.name();
      try {
        boolean removed = resources.remove(item.resource());
        Audit.record("operator", "reconcile.remove", target, removed ? "ok" : "already_gone", details);
        done.add(new Removal(item, removed, null));
      } catch (Exception e) {
        String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Audit.record("operator", "reconcile.remove", target, "failed", details.put("error", error));
        done.add(new Removal(item, false, error));
      }
    }
    return done;
  }

  /** Why a proven resource is an orphan, or null while it is live. */
  private static String orphanedBecause(Resource r, Owner owner) {
    if (owner == null) {
      return "its task has no row";
    }
    if (owner.status() == TaskStatus.QUEUED || owner.status() == TaskStatus.RUNNING) {
      return null;
    }
    String task = "task " + owner.status().wire();
    if (r.kind() == Kind.PARTIAL_DIR) {
      return "partial copy of a task that ended (" + task + ")";
    }
    if (owner.wikiSlug() == null) {
      return task + ", its wiki row is gone";
    }
    if (!owner.wikiSlug().equals(r.slug())) {
      return task + ", its wiki is '" + owner.wikiSlug() + "', not '" + r.slug() + "'";
    }
    return null;
  }

  private static void missing(List<Item> items, Kind kind, Path dir, String slug) {
    if (!Files.isDirectory(dir)) {
      items.add(new Item(Finding.MISSING, kind, dir.toAbsolutePath().normalize().toString(), null, "wiki '" + slug
          + "' is ready but its " + (kind == Kind.WIKI_DIR ? "directory" : "key directory")
          + " is missing (report only)", null));
    }
  }
}
