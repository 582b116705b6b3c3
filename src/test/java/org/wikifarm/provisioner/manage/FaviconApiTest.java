package org.wikifarm.provisioner.manage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.wikifarm.provisioner.manage.ManageKit.M;
import static org.wikifarm.provisioner.manage.ManageKit.OWNER;
import static org.wikifarm.provisioner.manage.ManageKit.as;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.RunningService;
import org.wikifarm.provisioner.embedded.TestDb;
import org.wikifarm.provisioner.embedded.TestInfra;

/**
 * The favicon upload (SPEC §4.4): real PNG, ICO and JPEG files, raw or as the file of a multipart form, stored
 * byte for byte as {@code <wiki>/favicon.ico}; wrong, mislabelled, oversized or empty uploads refused before
 * anything is written.
 */
class FaviconApiTest {
  private static final int MIB2 = 2 * 1024 * 1024;
  private static RunningService service;
  private static TestDb db;

  @BeforeAll
  static void start() throws Exception {
    TestInfra.truncateMetadata();
    db = new TestDb();
    service = RunningService.startApiOnly(json -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
    db.close();
  }

  @Test
  void pngIcoAndJpegAreStoredByteForByte() throws Exception {
    Path icon = ManageKit.readyWiki(service, db, "fav-ok").resolve("favicon.ico");
    byte[] png = image("png");
    byte[] ico = ico(png);
    byte[] jpeg = image("jpeg");
    for (Object[] upload : List.of(new Object[] {png, "image/png"}, new Object[] {ico, "image/x-icon"},
        new Object[] {ico, "image/vnd.microsoft.icon"}, new Object[] {jpeg, "image/jpeg; charset=binary"},
        new Object[] {padded(png, MIB2), "image/png"})) {
      ApiClient.Response r = put("fav-ok", (byte[]) upload[0], (String) upload[1]);
      assertEquals(200, r.status(), upload[1] + ": " + r.body());
      assertArrayEquals((byte[]) upload[0], Files.readAllBytes(icon), (String) upload[1]);
    }
    ApiClient.Response multipart = put("fav-ok", multipart(jpeg, "image/jpeg", 1), "multipart/form-data; boundary=XyZ");
    assertEquals(200, multipart.status(), multipart.body());
    assertEquals("jpeg", multipart.json().getString("format"));
    assertArrayEquals(jpeg, Files.readAllBytes(icon));
    assertEquals(List.of(icon), entriesNamedLike(icon), "no temp files");
  }

  @Test
  void wrongMislabelledOversizedOrEmptyUploadsWriteNothing() throws Exception {
    Path wiki = ManageKit.readyWiki(service, db, "fav-bad");
    Path icon = wiki.resolve("favicon.ico");
    byte[] png = image("png");
    byte[] gif = image("gif");
    byte[] cur = ico(png);
    cur[2] = 2; // a cursor file, not an icon
    byte[] noImages = {0, 0, 1, 0, 0, 0};
    List<Object[]> cases = List.of(
        new Object[] {gif, "image/gif", 415, "unsupported_media_type"},
        new Object[] {gif, "image/png", 415, "favicon_type_mismatch"},
        new Object[] {png, "image/jpeg", 415, "favicon_type_mismatch"},
        new Object[] {cur, "image/x-icon", 415, "favicon_type_mismatch"},
        new Object[] {noImages, "image/x-icon", 415, "favicon_type_mismatch"},
        new Object[] {png, "text/plain", 415, "unsupported_media_type"},
        new Object[] {png, null, 415, "unsupported_media_type"},
        new Object[] {padded(png, MIB2 + 1), "image/png", 413, "payload_too_large"},
        new Object[] {padded(png, 3 * MIB2), "image/png", 413, "payload_too_large"},
        new Object[] {new byte[0], "image/png", 400, "empty_favicon"},
        new Object[] {multipart(png, "image/jpeg", 1), "multipart/form-data; boundary=XyZ", 415, "favicon_type_mismatch"},
        new Object[] {multipart(png, "image/png", 2), "multipart/form-data; boundary=XyZ", 400, "invalid_multipart"},
        new Object[] {multipart(png, "image/png", 0), "multipart/form-data; boundary=XyZ", 400, "invalid_multipart"},
        new Object[] {multipart(png, "image/png", 1), "multipart/form-data; boundary=Other", 400, "invalid_multipart"},
        new Object[] {multipart(png, "image/png", 1), "multipart/form-data", 400, "invalid_multipart"},
        new Object[] {multipart(padded(png, MIB2 + 1), "image/png", 1), "multipart/form-data; boundary=XyZ", 413,
            "payload_too_large"});
    List<String> wrong = new ArrayList<>();
    for (Object[] c : cases) {
      ApiClient.Response r = put("fav-bad", (byte[]) c[0], (String) c[1]);
      if (r.status() != (int) c[2] || !r.body().contains("\"code\":\"" + c[3] + "\"")) {
        wrong.add(c[1] + " (" + ((byte[]) c[0]).length + " bytes) -> " + r.status() + " " + r.body());
      }
      assertFalse(Files.exists(icon), c[1] + ": nothing may be written");
    }
    assertEquals(List.of(), wrong);
    assertEquals(List.of(), entriesNamedLike(icon), "no temp files");

    // a refused upload leaves the previous icon as it was
    assertEquals(200, put("fav-bad", png, "image/png").status());
    assertEquals(415, put("fav-bad", gif, "image/png").status());
    assertArrayEquals(png, Files.readAllBytes(icon));
  }

  private static ApiClient.Response put(String slug, byte[] body, String contentType) throws Exception {
    HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.app.httpPort() + M
        + slug + "/favicon")).PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      builder.header("Content-Type", contentType);
    }
    return service.client.send(builder, as(OWNER));
  }

  /** A real image in a format ImageIO writes (png, jpeg, gif). */
  static byte[] image(String format) throws Exception {
    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
    for (int i = 0; i < 16; i++) {
      img.setRGB(i, i, 0xff3366);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, format, out);
    return out.toByteArray();
  }

  /** An ICO file holding one PNG image (the form browsers and Windows Vista+ accept). */
  static byte[] ico(byte[] png) {
    ByteBuffer b = ByteBuffer.allocate(6 + 16 + png.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort((short) 0).putShort((short) 1).putShort((short) 1); // reserved, type icon, one image
    b.put((byte) 16).put((byte) 16).put((byte) 0).put((byte) 0).putShort((short) 1).putShort((short) 32)
        .putInt(png.length).putInt(22);
    return b.put(png).array();
  }

  /** The image followed by padding up to {@code size} bytes (still starting with its signature). */
  static byte[] padded(byte[] image, int size) {
    return Arrays.copyOf(image, size);
  }

  /** A form with {@code files} file parts holding the image, plus one plain field. */
  static byte[] multipart(byte[] image, String type, int files) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write("preamble\r\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n"
        .getBytes(StandardCharsets.ISO_8859_1));
    for (int i = 0; i < files; i++) {
      out.write(("--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"icon" + i + "\"\r\n"
          + "Content-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      out.write(image);
      out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    out.write("--XyZ--\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static List<Path> entriesNamedLike(Path icon) throws Exception {
    try (Stream<Path> entries = Files.list(icon.getParent())) {
      return entries.filter(p -> p.getFileName().toString().contains("favicon")).toList();
    }
  }
}
