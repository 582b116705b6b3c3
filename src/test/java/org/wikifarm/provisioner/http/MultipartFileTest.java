package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The manage API's reading of a multipart/form-data favicon upload, as browsers and curl -F send it. */
class MultipartFileTest {
  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void theOneFilePartIsFoundAmongFieldsWithItsTypeAndExactBytes() {
    String body = "--abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nfield\r\n"
        + "--abc  \r\ncontent-disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n"
        + "\r\n\u0089PNG\r\n--ab\r\n\r\n--abc--\r\nepilogue";
    MultipartFile file = MultipartFile.single(b(body), "multipart/form-data; boundary=\"abc\"");
    assertEquals("image/png", file.contentType());
    assertArrayEquals(b("\u0089PNG\r\n--ab\r\n"), file.content(), "a near-boundary inside the content stays");
  }

  @Test
  void aFilePartWithoutTypeHasNone() {
    String body = "--q\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nDATA\r\n--q--";
    MultipartFile file = MultipartFile.single(b(body), "multipart/form-data; charset=utf-8; boundary=q");
    assertNull(file.contentType());
    assertArrayEquals(b("DATA"), file.content());
  }

  @Test
  void malformedBodiesAre400() {
    String ok = "--q\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nDATA\r\n--q--";
    for (String[] c : new String[][] {
        {ok, "multipart/form-data"}, {ok, "multipart/form-data; boundary=z"},
        {"--q\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\nDATA", "multipart/form-data; boundary=q"},
        {"--qX", "multipart/form-data; boundary=q"}, {"", "multipart/form-data; boundary=q"},
        {"--q--", "multipart/form-data; boundary=q"}}) {
      ApiException e = assertThrows(ApiException.class, () -> MultipartFile.single(b(c[0]), c[1]), c[0]);
      assertEquals("invalid_multipart", e.code());
    }
    assertTrue(MultipartFile.isMultipart(" Multipart/Form-Data; boundary=x"));
  }
}
