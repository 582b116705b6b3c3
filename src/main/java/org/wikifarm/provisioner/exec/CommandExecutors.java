package org.wikifarm.provisioner.exec;

import org.wikifarm.provisioner.config.AppConfig;

/** Builds the executor the configuration asks for ({@code executor.type} / WIKIFARM_EXECUTOR). */
public final class CommandExecutors {
  private CommandExecutors() {}

  public static CommandExecutor create(AppConfig config) {
    AppConfig.Executor ex = config.executor();
    PathMapping paths = new PathMapping(config.farm().wikiDir(), ex.containerWikiDir());
    CommandEnvironment environment = CommandEnvironment.of(ex.commandEnv(), System.getenv());
    return switch (ex.type()) {
      case DOCKER -> DockerExecutor.forDockerHost(ex.dockerHost(), ex.instance(), paths, ex.user())
          .withEnvironment(environment);
      case PORTAINER -> PortainerExecutor.create(ex.portainerEndpoint(), ex.portainerApiKey(), ex.instance(),
          paths, ex.user()).withEnvironment(environment);
      case LOCAL -> new LocalExecutor(config.farm().wikiDir(), ex.user(), environment);
    };
  }
}
