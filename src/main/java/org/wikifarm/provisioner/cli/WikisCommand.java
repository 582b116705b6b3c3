package org.wikifarm.provisioner.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.wikifarm.provisioner.store.OperatorStore;
import org.wikifarm.provisioner.store.Wiki;
import org.wikifarm.provisioner.support.Audit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code wikis list}, {@code wikis feature <slug>}, {@code wikis unfeature <slug>}. */
@Command(name = "wikis", mixinStandardHelpOptions = true,
    description = "List every wiki in any status, or set whether one is featured.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Main.EXIT_OK, "1:no such wiki, or MariaDB failed",
        Main.EXIT_USAGE})
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
