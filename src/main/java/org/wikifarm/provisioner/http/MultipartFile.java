package org.wikifarm.provisioner.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one file part of a {@code multipart/form-data} body (RFC 7578), read from the buffered raw bytes: its
 * content and its declared {@code Content-Type}. Fields without a file name are ignored; no file part, two
 * file parts or a malformed body is a 400.
 */
record MultipartFile(byte[] content, String contentType) {
  private static final Pattern BOUNDARY = Pattern.compile("(?i);\\s*boundary=(?:\"([^\"]{1,70})\"|([^;\\s]{1,70}))");
  private static final Pattern FILENAME = Pattern.compile("(?i);\\s*filename\\*?=");
  private static final byte[] CRLF = {'\r', '\n'};
  private static final byte[] HEADER_END = {'\r', '\n', '\r', '\n'};

  static boolean isMultipart(String contentType) {
    return contentType != null && contentType.strip().toLowerCase(Locale.ROOT).startsWith("multipart/form-data");
  }

  static MultipartFile single(byte[] body, String contentType) {
    Matcher m = BOUNDARY.matcher(contentType);
    if (!m.find()) {
      throw invalid("the multipart/form-data Content-Type has no boundary");
    }
    byte[] delimiter = ("--" + (m.group(1) != null ? m.group(1) : m.group(2))).getBytes(StandardCharsets.ISO_8859_1);
    byte[] nextDelimiter = concat(CRLF, delimiter);
    int pos;
    if (startsWith(body, 0, delimiter)) {
      pos = delimiter.length;
    } else { // a preamble, which is ignored
      int at = indexOf(body, nextDelimiter, 0);
      if (at < 0) {
        throw invalid("the body does not contain the boundary");
      }
      pos = at + nextDelimiter.length;
    }
    List<MultipartFile> files = new ArrayList<>();
    while (true) {
      while (pos < body.length && (body[pos] == ' ' || body[pos] == '\t')) {
        pos++; // transport padding after a delimiter (RFC 2046)
      }
      if (startsWith(body, pos, new byte[] {'-', '-'})) {
        break; // the closing delimiter
      }
      if (!startsWith(body, pos, CRLF)) {
        throw invalid("a boundary is not followed by a line break");
      }
      int headersEnd = indexOf(body, HEADER_END, pos);
      int end = headersEnd < 0 ? -1 : indexOf(body, nextDelimiter, headersEnd + HEADER_END.length);
      if (end < 0) {
        throw invalid("a part is not terminated by the boundary");
      }
      String headers = headersEnd == pos ? "" // a part without headers
          : new String(body, pos + 2, headersEnd - pos - 2, StandardCharsets.ISO_8859_1);
      String disposition = header(headers, "content-disposition");
      if (disposition != null && FILENAME.matcher(disposition).find()) {
        byte[] content = java.util.Arrays.copyOfRange(body, headersEnd + HEADER_END.length, end);
        files.add(new MultipartFile(content, header(headers, "content-type")));
      }
      pos = end + nextDelimiter.length;
    }
    if (files.size() != 1) {
      throw invalid("send exactly one file part (found " + files.size() + ")");
    }
    return files.get(0);
  }

  private static String header(String headers, String name) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase(name)) {
        return line.substring(colon + 1).strip();
      }
    }
    return null;
  }

  private static int indexOf(byte[] haystack, byte[] needle, int from) {
    for (int i = Math.max(0, from); i <= haystack.length - needle.length; i++) {
      if (startsWith(haystack, i, needle)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] bytes, int at, byte[] prefix) {
    if (at < 0 || at + prefix.length > bytes.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (bytes[at + i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static ApiException invalid(String message) {
    return ApiException.badRequest("invalid_multipart", message);
  }
}
