package org.wikifarm.provisioner.cli;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.wikifarm.provisioner.cli.DoctorCommand.Check;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.exec.CommandExecutor;
import org.wikifarm.provisioner.exec.CommandExecutors;

/** The checks of {@code doctor} on this host: executor and container, templates, farm directories, ports, peers. */
final class HostChecks {
  private static final int CONNECT_TIMEOUT_MS = 3_000;

  private final AppConfig config;

  HostChecks(AppConfig config) {
    this.config = config;
  }

  List<Check> all() {
    List<Check> checks = new ArrayList<>();
    checks.add(executor());
    Map<String, Path> templates = new LinkedHashMap<>();
    templates.put("template", config.farm().defaultTemplate());
    config.farm().templates().forEach((name, dir) -> templates.put("template " + name, dir));
    templates.forEach((name, dir) -> checks.add(template(name, dir)));
    checks.add(writable("wiki dir", config.farm().wikiDir(), "WIKIFARM_DIR"));
    checks.add(writable("oauth dir", config.farm().oauthDir(), "WIKIFARM_OAUTH_DIR"));
    checks.add(port("http port", config.http().host(), config.http().port(), "BIND_ADDR", true));
    if (config.cluster().enabled()) {
      AppConfig.Cluster cluster = config.cluster();
      checks.add(port("cluster port", cluster.host(), cluster.port(), "WIKIFARM_CLUSTER_PORT", false));
      if (cluster.busPort() != 0) {
        checks.add(port("event-bus port", cluster.host(), cluster.busPort(), "WIKIFARM_CLUSTER_BUS_PORT", false));
      }
      for (String member : cluster.members()) {
        if (!isSelf(member, cluster)) {
          checks.add(peer(member));
        }
      }
    }
    return checks;
  }

  /** The executor the worker would use, asked the same cheap question {@code /ready} asks (engine, container). */
  private Check executor() {
    long started = System.nanoTime();
    try (CommandExecutor executor = CommandExecutors.create(config)) {
      executor.checkReachable();
      String container = config.executor().type() == AppConfig.ExecutorType.LOCAL ? ""
          : ", container " + config.executor().instance() + " running";
      return Check.ok("executor", executor.describe() + container + ", " + DoctorChecks.millis(started));
    } catch (Exception e) {
      return Check.failed("executor", String.valueOf(e.getMessage()), switch (config.executor().type()) {
        case DOCKER -> "check DOCKER_HOST (executor.docker-host), the service's access to it, and WIKIFARM_INSTANCE";
        case PORTAINER -> "check PORTAINER_ENDPOINT, PORTAINER_API_KEY and WIKIFARM_INSTANCE";
        case LOCAL -> "the local executor runs commands in the wikis' directories: create WIKIFARM_DIR";
      });
    }
  }

  /** A template directory holding a readable pubwiki.ini (render_ini starts from it). */
  private static Check template(String name, Path dir) {
    Path ini = dir.resolve("pubwiki.ini");
    if (!Files.isDirectory(dir)) {
      return Check.failed(name, dir + " is not a directory",
          "create it or point WIKIFARM_TEMPLATE (farm.template / farm.templates) at the template directory");
    }
    if (!Files.isRegularFile(ini) || !Files.isReadable(ini)) {
      return Check.failed(name, dir + " has no readable pubwiki.ini",
          "a template is a wiki directory whose pubwiki.ini render_ini fills in; add it");
    }
    try {
      return Check.ok(name, dir + " (pubwiki.ini, " + Files.size(ini) + " bytes)");
    } catch (IOException e) {
      return Check.failed(name, ini + ": " + e.getMessage(), "make it readable by the service user");
    }
  }

  /** Writable for real: a file is created and removed there. */
  private static Check writable(String name, Path dir, String variable) {
    try {
      Path probe = Files.createTempFile(dir, ".doctor-", ".tmp");
      Files.delete(probe);
      return Check.ok(name, dir + " writable");
    } catch (IOException | RuntimeException e) {
      String why = !Files.exists(dir) ? " does not exist" : !Files.isDirectory(dir) ? " is not a directory"
          : " is not writable (" + e.getClass().getSimpleName() + ")";
      return Check.failed(name, dir + why,
          "create it and give the service user write access, or fix " + variable);
    }
  }

  /**
   * Free to bind. A port in use by this very service (its {@code /health} answers) is only a warning: doctor
   * is often run beside a running node.
   */
  private static Check port(String name, String host, int port, String variable, boolean http) {
    if (port == 0) {
      return Check.ok(name, host + ":0 (any free port)");
    }
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(host, port));
      return Check.ok(name, host + ":" + port + " free");
    } catch (IOException e) {
      if (http && answersHealth(host, port)) {
        return Check.warning(name, host + ":" + port + " in use by a running provisioner (its /health answers)",
            "fine if that is this node; a second one needs another BIND_ADDR");
      }
      return Check.failed(name, host + ":" + port + " cannot be bound (" + e.getMessage() + ")",
          "stop what listens there or choose another port (" + variable + ")");
    }
  }

  private static boolean answersHealth(String host, int port) {
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String h = host.contains(":") ? "[" + host + "]" : host.equals("0.0.0.0") ? "127.0.0.1" : host;
      HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + h + ":" + port + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("\"ok\"");
    } catch (Exception e) {
      return false;
    }
  }

  /** A TCP connection to a cluster member's Hazelcast port. */
  private static Check peer(String member) {
    int colon = member.lastIndexOf(':');
    String host = member.substring(0, colon).replace("[", "").replace("]", "");
    int port = Integer.parseInt(member.substring(colon + 1));
    long started = System.nanoTime();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
      return Check.ok("peer " + member, "TCP connect in " + DoctorChecks.millis(started));
    } catch (IOException e) {
      return Check.failed("peer " + member, "cannot connect (" + e.getMessage() + ")",
          "start that node, or check WIKIFARM_CLUSTER_MEMBERS and that the firewall allows TCP " + port);
    }
  }

  private static boolean isSelf(String member, AppConfig.Cluster cluster) {
    String self = ":" + cluster.port();
    return member.equals(cluster.host() + self) || (!cluster.publicHost().isBlank()
        && member.equals(cluster.publicHost() + self));
  }
}
