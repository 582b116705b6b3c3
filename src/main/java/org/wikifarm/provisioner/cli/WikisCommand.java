package org.wikifarm.provisioner.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.wikifarm.provisioner.store.DeleteRefusedException;
import org.wikifarm.provisioner.store.MigrationRequiredException;
import org.wikifarm.provisioner.store.OperatorStore;
import org.wikifarm.provisioner.store.TaskQueue;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.support.Audit;
import org.wikifarm.provisioner.task.TaskType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code wikis list}, {@code wikis feature <slug>}, {@code wikis unfeature <slug>}, {@code wikis delete <slug>}
 * (the operator's delete: any owner's wiki, queued and run from this terminal like {@code provision}).
 */
@Command(name = "wikis", mixinStandardHelpOptions = true,
    description = "List every wiki in any status, set whether one is featured, or delete one.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Main.EXIT_OK,
        "1:no such wiki, the wiki is busy, the delete failed, or MariaDB failed", Main.EXIT_USAGE})
final class WikisCommand {
  @ParentCommand Main main;

  @Command(name = "list", mixinStandardHelpOptions = true, description = "Every wiki, newest first.")
  int list(@Option(names = "--limit", defaultValue = "200", description = "at most this many (default ${DEFAULT-VALUE})")
      int limit,
      @Option(names = "--json", description = "one JSON array instead of a table") boolean json) throws Exception {
    Main.quietLogging();
    try (Clients clients = new Clients(main.config())) {
      List<Wiki> wikis = clients.await(new OperatorStore(clients.pool).wikis(limit));
      if (json) {
        JsonArray array = new JsonArray();
        wikis.forEach(w -> array.add(new JsonObject().put("id", w.id()).put("slug", w.slug()).put("name", w.name())
            .put("status", w.status().wire()).put("visibility", w.visibility()).put("featured", w.featured())
            .put("language", w.language()).put("domain", w.domain())
            .put("owner", new JsonObject().put("id", w.ownerUserId()).put("username", w.ownerUsername()))
            .put("created_at", w.createdAt() == null ? null : w.createdAt().toString())));
        main.out.println(array.encodePrettily());
        return 0;
      }
      Table table = new Table("SLUG", "STATUS", "VISIBILITY", "FEATURED", "OWNER", "LANGUAGE", "CREATED", "NAME");
      for (Wiki w : wikis) {
        table.row(w.slug(), w.status().wire(), w.visibility(), w.featured() ? "yes" : "no",
            w.ownerUsername() + " (" + w.ownerUserId() + ")", w.language(), Table.time(w.createdAt()),
            Table.shorten(w.name(), 50));
      }
      table.print(main.out);
      return 0;
    }
  }

  @Command(name = "feature", mixinStandardHelpOptions = true, description = "Show the wiki in the featured list.")
  int feature(@Parameters(paramLabel = "SLUG") String slug) throws Exception {
    return setFeatured(slug, true);
  }

  @Command(name = "unfeature", mixinStandardHelpOptions = true, description = "Remove the wiki from the featured list.")
  int unfeature(@Parameters(paramLabel = "SLUG") String slug) throws Exception {
    return setFeatured(slug, false);
  }

  @Command(name = "delete", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Delete a ready or failed wiki of any owner now, from this terminal, through the same "
          + "delete_wiki pipeline as DELETE /wikis/{slug}: archive (when farm.archive-dir is set), drop_db, "
          + "remove_keys, remove_dir, then the wiki row (the slug is free again). Shows a live progress bar on a "
          + "terminal, plain lines otherwise.",
          "A delete is forward-only: a failure or Ctrl-C stops it where it is (nothing is restored) and leaves "
              + "the wiki failed, its message listing what is still in place; run the command again to finish it."},
      exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the wiki is deleted and its slug free",
          "1:no such wiki, the wiki is busy (being created or deleted, or a task of it running), or the delete "
              + "failed (the message says what is still in place)",
          "2:the database migration this needs is not applied (the message names its file), or invalid usage",
          "130:interrupted (SIGINT) once the delete stopped and the wiki is marked failed; 143 for SIGTERM"})
  int delete(@Parameters(paramLabel = "SLUG", description = "the wiki's slug") String slug,
      @Option(names = "--plain", description = "plain lines even on a terminal") boolean plain) throws Exception {
    return TerminalTask.run(main, TaskType.DELETE_WIKI, plain,
        "stopping the delete where it is (nothing is restored; the wiki is left failed)",
        run -> {
          try {
            return run.enqueueDeletion(slug);
          } catch (DeleteRefusedException e) {
            Audit.record(TaskQueue.OPERATOR, "wiki.delete", "wiki:" + slug,
                e.reason() == DeleteRefusedException.Reason.NOT_FOUND ? "not_found" : "busy", null);
            throw new TerminalTask.Refused(1, e.reason() == DeleteRefusedException.Reason.BUSY
                ? "wiki_busy: " + e.getMessage() : e.getMessage());
          } catch (MigrationRequiredException e) {
            Audit.record(TaskQueue.OPERATOR, "wiki.delete", "wiki:" + slug, "migration_required", null);
            throw new TerminalTask.Refused(2, "migration_required: " + e.getMessage());
          }
        },
        taskId -> "deleting wiki '" + slug + "'",
        elapsed -> "wiki '" + slug + "' is deleted; the slug is free (" + Table.seconds(elapsed) + ")");
  }

  private int setFeatured(String slug, boolean featured) throws Exception {
    Main.quietLogging();
    try (Clients clients = new Clients(main.config())) {
      boolean found = clients.await(new OperatorStore(clients.pool).setFeatured(slug, featured));
      Audit.record("operator", featured ? "wiki.feature" : "wiki.unfeature", "wiki:" + slug,
          found ? "ok" : "not_found", null);
      if (!found) {
        main.err.println("no wiki with the slug '" + slug + "'");
        return 1;
      }
      main.out.println("wiki '" + slug + "' is " + (featured ? "featured" : "no longer featured"));
      return 0;
    }
  }
}
