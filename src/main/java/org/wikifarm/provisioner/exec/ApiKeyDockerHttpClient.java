package org.wikifarm.provisioner.exec;

import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import org.wikifarm.provisioner.config.Secret;

/**
 * A {@link DockerHttpClient} decorator that adds Portainer's {@code X-API-Key} header to every request, so
 * the plain Docker exec logic of {@link DockerExecutor} works unchanged through Portainer's Docker proxy. The
 * key stays a {@link Secret} until the moment a request is built.
 */
final class ApiKeyDockerHttpClient implements DockerHttpClient {
  static final String HEADER = "X-API-Key";

  private final DockerHttpClient delegate;
  private final Secret apiKey;

  ApiKeyDockerHttpClient(DockerHttpClient delegate, Secret apiKey) {
    this.delegate = delegate;
    this.apiKey = apiKey;
  }

  @Override
  public Response execute(Request request) {
    return delegate.execute(Request.builder().from(request).putHeader(HEADER, apiKey.reveal()).build());
  }

  @Override
  public void close() throws IOException {
    delegate.close();
  }

  @Override
  public String toString() {
    return "ApiKeyDockerHttpClient[" + delegate + "]"; // never the key
  }
}
