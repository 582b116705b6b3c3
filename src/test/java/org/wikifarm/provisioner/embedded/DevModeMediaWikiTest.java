package org.wikifarm.provisioner.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.HostTools.Tool;
import org.wikifarm.provisioner.sse.SseClient;

/**
 * Where PHP and Debian's MediaWiki are installed, the dev mode's wikis are real ones: created from a MediaWiki
 * template by MediaWiki's own install scripts, and served by the dev mode's web server both at the wiki's own
 * address (the API's "url", picked by host name) and under its slug, answering {@code api.php} with their
 * name and opening on a Main Page.
 */
@HostTools.Required({Tool.MEDIAWIKI, Tool.PHP})
class DevModeMediaWikiTest {
  /** An apostrophe and a non-ASCII letter: both must reach MediaWiki through pubwiki.ini. */
  private static final String NAME = "Ålesund's Dev Wiki";
  private static final String SLUG = "alesund-dev";

  @Test
  void theCreatedWikiAnswersThroughTheDevWebServer() throws Exception {
    Prerequisites.check(DevMediaWiki.unavailable().isEmpty(), "the dev mode cannot host MediaWiki here: "
        + DevMediaWiki.unavailable().orElse(""));
    DevModeProcess.Ports ports = DevModeProcess.Ports.free();
    try (DevModeProcess dev = DevModeProcess.start(TestInfra.scratch().resolve("devmode-mediawiki").resolve("var"),
        ports, Map.of())) {
      assertTrue(dev.output().contains("template       MediaWiki 1."), "the banner names the template:\n"
          + dev.output());
      ApiClient.Response created = dev.client().postJson("/provisioner/v1/wikis", new JsonObject()
          .put("name", NAME).put("slug", SLUG).put("language", "de")
          .put("owner", new JsonObject().put("id", 1).put("username", "Admin")).encode());
      assertEquals(202, created.status(), created.body());
      SseClient.Stream stream = SseClient.read(ports.http(), created.json().getString("task_id"), null,
          Duration.ofMinutes(5));
      JsonObject last = stream.events().get(stream.events().size() - 1).data();
      assertEquals("succeeded", last.getString("status"), last.encode() + "\n" + dev.output());

      JsonObject wiki = dev.client().get("/provisioner/v1/wikis/" + SLUG).json();
      URI url = URI.create(wiki.getString("url"));
      assertEquals("http://" + SLUG + ".wiki.localhost:" + ports.wiki() + "/", url.toString(),
          "the wiki's url is the dev web server");

      // at its own address (the host name picks the wiki) …
      String siteinfo = "/api.php?action=query&meta=siteinfo&format=json";
      JsonObject general = new JsonObject(get(ports.wiki(), url.getAuthority(), siteinfo).body)
          .getJsonObject("query").getJsonObject("general");
      assertEquals(NAME, general.getString("sitename"));
      assertEquals("de", general.getString("lang"));
      // … and under its slug, for clients that cannot resolve *.localhost
      String local = "127.0.0.1:" + ports.wiki();
      assertEquals(NAME, new JsonObject(get(ports.wiki(), local, "/" + SLUG + siteinfo).body)
          .getJsonObject("query").getJsonObject("general").getString("sitename"));

      // "Open wiki" opens the Main Page
      Answer root = get(ports.wiki(), url.getAuthority(), "/");
      assertEquals(301, root.status, root.head);
      assertTrue(root.head.contains("Location: " + url + "index.php/"), root.head);
      Answer mainPage = get(ports.wiki(), url.getAuthority(), "/index.php/Main_Page");
      assertEquals(200, mainPage.status, mainPage.head);
      assertTrue(mainPage.body.contains("is a real MediaWiki"), "the Main Page's text");
      // its author lives in the farm's shared user tables, where the finished wiki looks (history joins them)
      assertTrue(get(ports.wiki(), url.getAuthority(), "/index.php?title=Main_Page&action=history").body
          .contains("Maintenance script"), "the Main Page's history names its author");

      // the wiki's secrets are not files the server hands out
      assertFalse(get(ports.wiki(), url.getAuthority(), "/pubwiki.ini").body.contains("WIKI_DB_PASSWORD"));
    }
  }

  private record Answer(int status, String head, String body) {}

  /** A GET with the given Host header (HttpClient will not send one of our choosing); HTTP/1.0, no chunking. */
  private static Answer get(int port, String host, String path) throws Exception {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(120_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      int split = response.indexOf("\r\n\r\n");
      String head = split < 0 ? response : response.substring(0, split);
      return new Answer(Integer.parseInt(head.split(" ", 3)[1]), head, split < 0 ? "" : response.substring(split + 4));
    }
  }
}
