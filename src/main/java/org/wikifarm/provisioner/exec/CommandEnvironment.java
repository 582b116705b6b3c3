package org.wikifarm.provisioner.exec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The explicit environment a maintenance command gets — never the service's own, which holds the admin DB
 * password, the API token and the other secrets. A host process gets {@code PATH}, {@code HOME} and
 * {@code LANG}, the task marker {@value CommandExecutor#TASK_ENV}, and the variables the operator names in
 * {@code executor.command-env} (WIKIFARM_COMMAND_ENV); a container exec keeps the container's own environment
 * and gets only the marker and those named variables added.
 */
public final class CommandEnvironment {
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private final Map<String, String> serviceEnv;
  private final Map<String, String> passThrough;

  private CommandEnvironment(Map<String, String> serviceEnv, Map<String, String> passThrough) {
    this.serviceEnv = serviceEnv;
    this.passThrough = passThrough;
  }

  /** Passes {@code names} through from {@code serviceEnv} (a name the service does not have is left out). */
  public static CommandEnvironment of(List<String> names, Map<String, String> serviceEnv) {
    Map<String, String> passed = new LinkedHashMap<>();
    for (String name : names) {
      String value = serviceEnv.get(name);
      if (value != null) {
        passed.put(name, value);
      }
    }
    return new CommandEnvironment(Map.copyOf(serviceEnv), passed);
  }

  /** Nothing passed through: the base variables and the task marker only. */
  public static CommandEnvironment minimal() {
    return of(List.of(), System.getenv());
  }

  /** The whole environment of a host process running a command for {@code taskId}. */
  Map<String, String> forHostProcess(String taskId) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", serviceEnv.getOrDefault("PATH", DEFAULT_PATH));
    env.put("HOME", serviceEnv.getOrDefault("HOME", "/"));
    env.put("LANG", serviceEnv.getOrDefault("LANG", "C.UTF-8"));
    env.putAll(passThrough);
    env.put(CommandExecutor.TASK_ENV, taskId);
    return env;
  }

  /** What is added to a container's own environment ({@code NAME=value} entries) for {@code taskId}. */
  List<String> forContainer(String taskId) {
    List<String> env = new ArrayList<>();
    passThrough.forEach((name, value) -> env.add(name + "=" + value));
    env.add(CommandExecutor.TASK_ENV + "=" + taskId);
    return env;
  }
}
