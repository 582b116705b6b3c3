package org.wikifarm.provisioner.config;

import java.util.List;

/** Start-up configuration is invalid; carries every problem found so the operator can fix them in one go. */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super("invalid configuration:\n  - " + String.join("\n  - ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
