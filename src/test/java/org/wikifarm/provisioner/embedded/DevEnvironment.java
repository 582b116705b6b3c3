package org.wikifarm.provisioner.embedded;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.config.ConfigLoader;

/**
 * The environment layer the dev mode hands to the service: its own values (embedded servers, var/, the local
 * executor) and, only with {@code --use-env}, the service variables set in the shell. README's production
 * section exports e.g. {@code WIKIFARM_EXECUTOR=docker}; a shell that ran it must not make every demo task fail,
 * so by default those variables are ignored, and the banner names them either way.
 */
record DevEnvironment(Map<String, String> variables, List<String> applied, List<String> ignored) {

  static DevEnvironment of(Map<String, String> devValues, Map<String, String> shell, boolean useEnv) {
    List<String> present = ConfigLoader.environmentNames().stream()
        .filter(name -> shell.get(name) != null && !shell.get(name).isEmpty()).sorted().toList();
    Map<String, String> variables = new LinkedHashMap<>(devValues);
    if (!useEnv) {
      return new DevEnvironment(Map.copyOf(variables), List.of(), present);
    }
    present.forEach(name -> variables.put(name, shell.get(name)));
    return new DevEnvironment(Map.copyOf(variables), present, List.of());
  }

  /** One line for the banner. */
  String describe() {
    if (!applied.isEmpty()) {
      return "applied from your shell (--use-env): " + String.join(", ", applied);
    }
    if (!ignored.isEmpty()) {
      return "ignored from your shell: " + String.join(", ", ignored) + " (--use-env applies them)";
    }
    return "no service variables set in your shell";
  }
}
