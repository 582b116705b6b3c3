package org.wikifarm.provisioner.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.store.EventJournal;
import org.wikifarm.provisioner.store.OperatorStore;
import org.wikifarm.provisioner.store.OperatorStore.TaskRow;
import org.wikifarm.provisioner.store.Task;
import org.wikifarm.provisioner.task.TaskEvent;
import org.wikifarm.provisioner.task.TaskStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code tasks list} and {@code tasks show <id>}: the task rows of record (MariaDB) and, for one task, the phases
 * it went through with their durations, read from its event journal (Redis) while that is retained.
 */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "List tasks, or show one in full.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {Main.EXIT_OK, "1:no such task, or MariaDB failed",
        Main.EXIT_USAGE})
final class TasksCommand {
  @ParentCommand Main main;

  @Command(name = "list", mixinStandardHelpOptions = true, description = "The newest tasks first.")
  int list(@Option(names = "--status", paramLabel = "STATUS", description = "queued|running|succeeded|failed")
      TaskStatus status,
      @Option(names = "--limit", defaultValue = "50", description = "at most this many (default ${DEFAULT-VALUE})")
      int limit,
      @Option(names = "--json", description = "one JSON array instead of a table") boolean json) throws Exception {
    Main.quietLogging();
    try (Clients clients = new Clients(main.config())) {
      OperatorStore store = new OperatorStore(clients.pool);
      List<TaskRow> rows = clients.await(store.tasks(status, limit));
      if (json) {
        JsonArray array = new JsonArray();
        rows.forEach(r -> array.add(toJson(r)));
        main.out.println(array.encodePrettily());
        return 0;
      }
      Table table = new Table("ID", "TYPE", "STATUS", "PROGRESS", "WIKI", "CREATED", "RAN", "MESSAGE");
      for (TaskRow r : rows) {
        Task t = r.task();
        table.row(t.id(), r.type(), t.status().wire(), t.progress() + "%", r.wikiSlug() == null ? "-" : r.wikiSlug(),
            Table.time(t.createdAt()), Table.duration(t.startedAt(), t.finishedAt()), Table.shorten(t.message(), 60));
      }
      table.print(main.out);
      return 0;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true,
      description = "One task: status, phase, message, timings, and each phase's duration from its event journal.")
  int show(@Parameters(paramLabel = "ID", description = "the task id") String id,
      @Option(names = "--json", description = "JSON instead of text") boolean json) throws Exception {
    Main.quietLogging();
    try (Clients clients = new Clients(main.config())) {
      TaskRow row = clients.await(new OperatorStore(clients.pool).task(id));
      if (row == null) {
        main.err.println("no task " + id);
        return 1;
      }
      List<TaskEvent.Journaled> events;
      try {
        events = clients.await(new EventJournal(clients.redis(), clients.keys(), clients.config.redis()).after(id, null));
      } catch (Exception e) {
        main.err.println("warning: the event journal could not be read (" + e.getMessage() + "); phases omitted");
        events = List.of();
      }
      Map<String, Duration> phases = phaseDurations(events, row.task());
      String phase = events.stream().map(j -> j.event().phase()).filter(p -> p != null).reduce((a, b) -> b).orElse(null);
      Task t = row.task();
      if (json) {
        JsonObject phaseJson = new JsonObject();
        phases.forEach((name, took) -> phaseJson.put(name, took == null ? null : took.toMillis() / 1000.0));
        main.out.println(toJson(row).put("phase", phase).put("phase_seconds", phaseJson).encodePrettily());
        return 0;
      }
      main.out.printf("task      %s (%s)%n", t.id(), row.type());
      main.out.printf("wiki      %s%n", row.wikiSlug() == null ? "-" : row.wikiSlug() + " (id " + t.wikiId() + ")");
      main.out.printf("owner     %s (id %d)%n", row.createdBy(), row.createdById());
      main.out.printf("status    %s, %d%%%n", t.status().wire(), t.progress());
      main.out.printf("phase     %s%n", phase == null ? "-" : phase);
      main.out.printf("message   %s%n", t.message() == null ? "-" : t.message());
      main.out.printf("created   %s%n", Table.time(t.createdAt()));
      main.out.printf("started   %s (queued %s)%n", Table.time(t.startedAt()), Table.duration(t.createdAt(), t.startedAt()));
      main.out.printf("finished  %s (ran %s)%n", Table.time(t.finishedAt()), Table.duration(t.startedAt(), t.finishedAt()));
      if (!phases.isEmpty()) {
        main.out.println("phases (from the event journal):");
        phases.forEach((name, took) -> main.out.printf("  %-14s %s%n", name, took == null ? "running" : Table.seconds(took)));
      }
      return 0;
    }
  }

  /**
   * When each phase first appeared in the journal (its ids are millisecond times) until the next phase or the
   * end; null for the phase still running.
   */
  static Map<String, Duration> phaseDurations(List<TaskEvent.Journaled> events, Task task) {
    List<String> names = new ArrayList<>();
    List<Long> starts = new ArrayList<>();
    Long end = null;
    for (TaskEvent.Journaled j : events) {
      if (j.id() == null) {
        continue;
      }
      long at = Long.parseLong(j.id().substring(0, j.id().indexOf('-')));
      String phase = j.event().phase();
      if (j.event().terminal()) {
        end = at;
      } else if (phase != null && !names.contains(phase)) {
        names.add(phase);
        starts.add(at);
      }
    }
    if (end == null && task.finishedAt() != null) {
      end = task.finishedAt().toEpochMilli();
    }
    Map<String, Duration> out = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      Long until = i + 1 < names.size() ? starts.get(i + 1) : end;
      out.put(names.get(i), until == null ? null : Duration.ofMillis(Math.max(0, until - starts.get(i))));
    }
    return out;
  }

  private static JsonObject toJson(TaskRow r) {
    Task t = r.task();
    return new JsonObject().put("id", t.id()).put("type", r.type()).put("status", t.status().wire())
        .put("progress", t.progress()).put("message", t.message()).put("wiki_id", t.wikiId())
        .put("wiki_slug", r.wikiSlug()).put("created_by", new JsonObject().put("id", r.createdById())
            .put("username", r.createdBy()))
        .put("created_at", str(t.createdAt())).put("started_at", str(t.startedAt()))
        .put("finished_at", str(t.finishedAt()));
  }

  private static String str(Instant t) {
    return t == null ? null : t.toString();
  }
}
