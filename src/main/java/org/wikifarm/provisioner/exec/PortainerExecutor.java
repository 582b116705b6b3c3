package org.wikifarm.provisioner.exec;

import com.github.dockerjava.transport.SSLConfig;
import java.net.URI;
import javax.net.ssl.SSLContext;
import org.wikifarm.provisioner.config.Secret;

/**
 * The Docker exec executor reached through Portainer's Docker proxy: {@code PORTAINER_ENDPOINT} is the proxy's
 * base URL ({@code https://portainer.example/api/endpoints/<id>/docker}) and every request carries
 * {@code X-API-Key: PORTAINER_API_KEY}. All exec logic is {@link DockerExecutor}'s; this class only builds the
 * transport and the wording of connection and authentication errors.
 */
public final class PortainerExecutor {
  private PortainerExecutor() {}

  public static DockerExecutor create(String endpoint, Secret apiKey, String container, PathMapping paths,
      String user) {
    URI url = URI.create(endpoint.trim());
    DockerExecutor.Engine engine = new DockerExecutor.Engine(
        "the Portainer endpoint " + withoutUserInfo(url),
        "check PORTAINER_ENDPOINT (https://<portainer>/api/endpoints/<id>/docker) and that Portainer is up",
        "Portainer rejected the API key: check PORTAINER_API_KEY");
    ApiKeyDockerHttpClient http = new ApiKeyDockerHttpClient(
        DockerExecutor.httpClient(transportUri(url), ssl(url)), apiKey);
    return new DockerExecutor(http, engine, container, paths, user);
  }

  /**
   * docker-java's Apache transport speaks http(s) only for {@code tcp://} URIs (TLS when an SSL config is
   * given) and keeps the URI's path as a prefix of every API path, which is exactly Portainer's proxy layout.
   */
  static URI transportUri(URI url) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new IllegalArgumentException("PORTAINER_ENDPOINT must be an http(s) URL, got " + withoutUserInfo(url));
    }
    int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    return URI.create("tcp://" + url.getHost() + ":" + port + path);
  }

  private static SSLConfig ssl(URI url) {
    if (!"https".equalsIgnoreCase(url.getScheme())) {
      return null;
    }
    return SSLContext::getDefault; // the JVM's trust store, like any HTTPS client
  }

  private static String withoutUserInfo(URI url) {
    return url.getUserInfo() == null ? url.toString() : url.toString().replace(url.getRawUserInfo() + "@", "");
  }
}
