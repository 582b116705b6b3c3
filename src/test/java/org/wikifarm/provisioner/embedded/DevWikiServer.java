package org.wikifarm.provisioner.embedded;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.wikifarm.provisioner.support.IniFile;

/**
 * The web server of the wikis the dev mode creates, on 127.0.0.1:{@code port}, so that a wiki's "url"
 * ({@code http://<slug>.wiki.localhost:<port>/}; browsers and curl resolve *.localhost to the loopback) opens
 * it. With MediaWiki: one {@code php -S} whose router script picks the wiki by host name or by the first path
 * segment ({@code http://127.0.0.1:<port>/<slug>/}). Without: a page per wiki saying it came from the demo
 * template, so the link still leads somewhere that explains itself.
 */
final class DevWikiServer implements AutoCloseable {
  private static final Pattern SLUG_HOST = Pattern.compile("^([a-z][a-z0-9-]*[a-z0-9])\\.");
  private static final Pattern SLUG_PATH = Pattern.compile("^/([a-z][a-z0-9-]*[a-z0-9])(/.*)?$");

  private final ServerProcess php;
  private final HttpServer placeholder;
  private final String leftover;

  private DevWikiServer(ServerProcess php, HttpServer placeholder, String leftover) {
    this.php = php;
    this.placeholder = placeholder;
    this.leftover = leftover;
  }

  /** {@code php -S} with the router, serving every wiki under {@code wikis}. */
  static DevWikiServer startPhp(Path var, Path wikis, int port, String rootHost) throws Exception {
    Path pidFile = var.resolve("wiki-server.pid");
    String leftover = ServerProcess.stopLeftover(pidFile, "php", Duration.ofSeconds(10)).orElse(null);
    Path router = var.resolve("wiki-router.php");
    try (InputStream in = DevWikiServer.class.getResourceAsStream("/dev-mode/router.php")) {
      Files.copy(in, router, StandardCopyOption.REPLACE_EXISTING);
    }
    ServerProcess php = ServerProcess.start("php", List.of("php", "-S", "127.0.0.1:" + port, "-t", wikis.toString(),
        router.toString()), Map.of("WIKIFARM_DEV_WIKIS", wikis.toString(), "WIKIFARM_DEV_ROOT_HOST", rootHost,
        // several workers: a MediaWiki page loads its styles and scripts in parallel
        "PHP_CLI_SERVER_WORKERS", "4"), var.resolve("wiki-server.log"),
        Pattern.compile("Development Server \\(http"), Duration.ofSeconds(30));
    Files.writeString(pidFile, php.pid() + "\n"); // php -S writes none; the next start needs it after a crash
    return new DevWikiServer(php, null, leftover);
  }

  /** Pages saying "made from the demo template", for a machine without PHP or MediaWiki. */
  static DevWikiServer startPlaceholder(Path wikis, int port) throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 16);
    server.createContext("/", exchange -> {
      try (exchange) {
        answer(exchange, wikis);
      }
    });
    server.start();
    return new DevWikiServer(null, server, null);
  }

  /** What was done about a server a crashed earlier run left running, if anything. */
  String leftoverStopped() {
    return leftover;
  }

  private static void answer(HttpExchange exchange, Path wikis) throws java.io.IOException {
    String host = String.valueOf(exchange.getRequestHeaders().getFirst("Host")).toLowerCase(Locale.ROOT);
    Matcher byHost = SLUG_HOST.matcher(host);
    Matcher byPath = SLUG_PATH.matcher(exchange.getRequestURI().getPath());
    String slug = byHost.find() && !host.startsWith("127.") ? byHost.group(1)
        : byPath.matches() ? byPath.group(1) : null;
    Path ini = slug == null ? null : wikis.resolve(slug).resolve("pubwiki.ini");
    String body;
    int status;
    if (ini != null && Files.isRegularFile(ini)) {
      String name = slug;
      try {
        name = IniFile.read(ini).getOrDefault("WIKI_SITE_NAME", slug);
      } catch (Exception unreadable) {
        // still being written: the slug will do
      }
      status = 200;
      body = "<h1>" + escape(name) + "</h1><p>This wiki was created from the dev mode's "
          + "<strong>demo template</strong>: a stand-in without MediaWiki behind it. Install php-cli, php-mysql "
          + "and mediawiki, restart the dev mode, and new wikis are real ones.</p>";
    } else {
      status = 404;
      body = "<h1>No such wiki here</h1><p>This is the dev mode's wiki server; it knows the wikis under "
          + escape(wikis.toString()) + ".</p>";
    }
    byte[] bytes = ("<!doctype html><meta charset=utf-8><title>WikiFarm dev mode</title><body style='font:16px/1.5 "
        + "system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem'>" + body)
        .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
        .replace("\"", "&quot;");
  }

  @Override
  public void close() throws InterruptedException {
    if (php != null) {
      php.stop(Duration.ofSeconds(10));
    }
    if (placeholder != null) {
      placeholder.stop(0);
    }
  }
}
