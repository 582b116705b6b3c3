package org.wikifarm.provisioner.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.Callable;
import org.wikifarm.provisioner.app.Reconciler;
import org.wikifarm.provisioner.app.Reconciler.Finding;
import org.wikifarm.provisioner.app.Reconciler.Item;
import org.wikifarm.provisioner.app.Reconciler.Removal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code reconcile [--apply]}: the farm's orphaned resources (see {@link Reconciler} for what is live). */
@Command(name = "reconcile", mixinStandardHelpOptions = true,
    description = {"Find the farm's resources — wiki directories, key directories, partial copies, databases and "
        + "their DB users — that carry this farm's ownership marker but belong to no live wiki or running task "
        + "(orphans), ready wikis missing a resource, and look-alikes without a marker. A dry run by default.",
        "With --apply, remove the orphans and nothing else, each only if its marker still names the same task, "
            + "with one audit line each."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:listed, or every orphan removed",
        "1:a removal failed, or MariaDB or the admin account failed", Main.EXIT_USAGE})
final class ReconcileCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--apply", description = "remove the orphans (never anything without a marker)")
  boolean apply;

  @Option(names = "--json", description = "one JSON object instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Main.quietLogging();
    try (Clients clients = new Clients(main.config())) {
      Reconciler reconciler = new Reconciler(clients.vertx, clients.config, clients.pool);
      List<Item> items = reconciler.scan();
      List<Removal> removals = apply ? reconciler.apply(items) : List.of();
      if (json) {
        printJson(items, removals);
      } else if (apply) {
        printRemovals(items, removals);
      } else {
        printFindings(items);
      }
      return removals.stream().anyMatch(Removal::failed) ? 1 : 0;
    }
  }

  private void printFindings(List<Item> items) {
    Table table = new Table("FINDING", "KIND", "NAME", "TASK", "WHY");
    items.forEach(i -> table.row(i.finding().wire(), i.kind().wire(), i.name(), orDash(i.taskId()), i.why()));
    table.print(main.out);
    long orphans = count(items, Finding.ORPHAN);
    main.out.println(orphans == 0 ? "no orphans"
        : orphans + " orphan(s); reconcile --apply removes them and nothing else");
  }

  private void printRemovals(List<Item> items, List<Removal> removals) {
    Table table = new Table("RESULT", "KIND", "NAME", "TASK", "DETAIL");
    for (Removal r : removals) {
      Item i = r.item();
      table.row(r.failed() ? "failed" : r.removed() ? "removed" : "gone", i.kind().wire(), i.name(),
          i.taskId(), r.failed() ? r.error() : i.why());
    }
    table.print(main.out);
    long removed = removals.stream().filter(Removal::removed).count();
    long failed = removals.stream().filter(Removal::failed).count();
    main.out.printf("removed %d of %d orphan(s)%s; %d missing and %d unproven finding(s) left alone%n", removed,
        removals.size(), failed == 0 ? "" : ", " + failed + " failed", count(items, Finding.MISSING),
        count(items, Finding.UNPROVEN));
  }

  private void printJson(List<Item> items, List<Removal> removals) {
    JsonArray findings = new JsonArray();
    items.forEach(i -> findings.add(toJson(i)));
    JsonObject out = new JsonObject().put("applied", apply).put("findings", findings);
    if (apply) {
      JsonArray done = new JsonArray();
      removals.forEach(r -> done.add(toJson(r.item()).put("removed", r.removed()).put("error", r.error())));
      out.put("removals", done);
    }
    main.out.println(out.encodePrettily());
  }

  private static JsonObject toJson(Item i) {
    return new JsonObject().put("finding", i.finding().wire()).put("kind", i.kind().wire()).put("name", i.name())
        .put("task", i.taskId()).put("why", i.why());
  }

  private static long count(List<Item> items, Finding finding) {
    return items.stream().filter(i -> i.finding() == finding).count();
  }

  private static String orDash(String s) {
    return s == null ? "-" : s;
  }
}
