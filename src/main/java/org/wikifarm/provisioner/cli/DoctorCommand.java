package org.wikifarm.provisioner.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.wikifarm.provisioner.config.AppConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/**
 * {@code doctor}: every dependency checked for real (SPEC §8), one line each — ✓ works, ⚠ works but is risky,
 * ✗ broken (with how to fix it), – not checked because something it needs is broken.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = {"Check every dependency for real: metadata DB, schema and migration, the admin account and its "
        + "privileges, the shared tables, Redis and its persistence, the executor and its container, the "
        + "templates, the farm directories, the ports and (clustered) the peers."},
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:every check passed (warnings allowed)",
        "1:at least one check failed (✗)", Main.EXIT_USAGE})
final class DoctorCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Option(names = "--json", description = "one JSON object instead of lines")
  boolean json;

  /** How a check came out. */
  enum Status {
    OK("✓"), WARNING("⚠"), FAILED("✗"), SKIPPED("–");

    final String mark;

    Status(String mark) {
      this.mark = mark;
    }
  }

  /** One line of the report: what was checked, how it came out, what was measured and (unless ✓) what to do. */
  record Check(String name, Status status, String detail, String hint) {
    static Check ok(String name, String detail) {
      return new Check(name, Status.OK, detail, null);
    }

    static Check warning(String name, String detail, String hint) {
      return new Check(name, Status.WARNING, detail, hint);
    }

    static Check failed(String name, String detail, String hint) {
      return new Check(name, Status.FAILED, detail, hint);
    }

    static Check skipped(String name, String why) {
      return new Check(name, Status.SKIPPED, why, null);
    }
  }

  @Override
  public Integer call() throws Exception {
    Main.quietLogging();
    AppConfig config = main.config();
    List<Check> checks;
    try (Clients clients = new Clients(config)) {
      checks = new DoctorChecks(clients).all();
    }
    boolean failed = checks.stream().anyMatch(c -> c.status() == Status.FAILED);
    if (json) {
      JsonArray array = new JsonArray();
      checks.forEach(c -> array.add(new JsonObject().put("name", c.name())
          .put("status", c.status().name().toLowerCase(Locale.ROOT)).put("detail", c.detail()).put("hint", c.hint())));
      main.out.println(new JsonObject().put("ok", !failed).put("checks", array).encodePrettily());
    } else {
      int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(10);
      for (Check c : checks) {
        main.out.printf("%s %-" + width + "s  %s%n", c.status().mark, c.name(), c.detail());
        if (c.hint() != null) {
          main.out.printf("  %" + width + "s  → %s%n", "", c.hint());
        }
      }
      long warnings = checks.stream().filter(c -> c.status() == Status.WARNING).count();
      long failures = checks.stream().filter(c -> c.status() == Status.FAILED).count();
      main.out.println(failed ? failures + " check(s) failed" + (warnings > 0 ? ", " + warnings + " warning(s)" : "")
          : "all checks passed" + (warnings > 0 ? " with " + warnings + " warning(s)" : ""));
    }
    return failed ? 1 : 0;
  }
}
