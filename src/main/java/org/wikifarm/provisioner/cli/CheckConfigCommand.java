package org.wikifarm.provisioner.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.wikifarm.provisioner.config.ConfigLoader;
import org.wikifarm.provisioner.config.Setting;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;

/**
 * {@code check-config}: validates every layer and prints one row per key — its environment variable, the layer
 * that set it and its value, secrets as {@code <redacted>}. Nothing is contacted: {@code doctor} does that.
 */
@Command(name = "check-config", mixinStandardHelpOptions = true,
    description = "Validate the configuration and print it as a table (secrets redacted); contacts nothing.",
    exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:the configuration is valid",
        "2:it is not; every problem is listed on stderr"})
final class CheckConfigCommand implements Callable<Integer> {
  @ParentCommand Main main;

  @Override
  public Integer call() throws Exception {
    Main.quietLogging();
    ConfigLoader.Loaded loaded = main.loadConfig();
    List<Setting> rows = loaded.settings();
    String[] header = {"KEY", "ENVIRONMENT", "FROM", "VALUE"};
    int[] width = {header[0].length(), header[1].length(), header[2].length()};
    for (Setting s : rows) {
      width[0] = Math.max(width[0], s.key().length());
      width[1] = Math.max(width[1], s.envName().length());
      width[2] = Math.max(width[2], s.origin().length());
    }
    String format = "%-" + width[0] + "s  %-" + width[1] + "s  %-" + width[2] + "s  %s%n";
    main.out.println("configuration is valid; FROM is the layer that set the value (default < file < env < flag)");
    main.out.println();
    main.out.printf(format, (Object[]) header);
    for (Setting s : rows) {
      main.out.printf(format, s.key(), s.envName().isEmpty() ? "-" : s.envName(), s.origin(),
          s.value().isEmpty() ? "(unset)" : s.value());
    }
    return 0;
  }
}
