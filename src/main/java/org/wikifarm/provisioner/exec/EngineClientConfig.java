package org.wikifarm.provisioner.exec;

import com.github.dockerjava.api.model.AuthConfig;
import com.github.dockerjava.api.model.AuthConfigurations;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.core.SSLConfig;
import java.net.URI;

/**
 * The docker-java client configuration, built from our own settings only. docker-java's
 * {@code DefaultDockerClientConfig} would also read DOCKER_* variables, system properties and
 * {@code ~/.docker}, which must not change what this service talks to. The API version is left unknown so
 * requests are unversioned and the engine (or Portainer) answers with its own current API.
 */
final class EngineClientConfig implements DockerClientConfig {
  private final URI host;

  EngineClientConfig(URI host) {
    this.host = host;
  }

  @Override
  public URI getDockerHost() {
    return host;
  }

  @Override
  public RemoteApiVersion getApiVersion() {
    return RemoteApiVersion.unknown();
  }

  // Registry credentials are for pull/push, which this service never does.
  @Override
  public String getRegistryUsername() {
    return null;
  }

  @Override
  public String getRegistryPassword() {
    return null;
  }

  @Override
  public String getRegistryEmail() {
    return null;
  }

  @Override
  public String getRegistryUrl() {
    return null;
  }

  @Override
  public AuthConfig effectiveAuthConfig(String imageName) {
    return null;
  }

  @Override
  public AuthConfigurations getAuthConfigurations() {
    return new AuthConfigurations();
  }

  @Override
  public SSLConfig getSSLConfig() {
    return null;
  }
}
