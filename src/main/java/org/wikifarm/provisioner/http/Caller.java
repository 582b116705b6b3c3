package org.wikifarm.provisioner.http;

import io.vertx.core.MultiMap;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Who is calling, as the forward-auth proxy says ({@code X-Auth-User-Id} + {@code X-Auth-User}, SPEC §4).
 * MediaWiki user names are any Unicode and the proxy sends them as raw UTF-8 bytes (or percent-encoded, since
 * a MediaWiki title can never contain a {@code %XX} sequence itself). HTTP header values arrive as one char
 * per byte, so the name is decoded here — strictly: bytes that are not UTF-8 are not an identity.
 */
public record Caller(long id, String username) {
  public static final String ID_HEADER = "X-Auth-User-Id";
  public static final String NAME_HEADER = "X-Auth-User";
  private static final Pattern PERCENT_ESCAPE = Pattern.compile("%[0-9A-Fa-f]{2}");
  static final long MAX_USER_ID = 4_294_967_295L; // INT UNSIGNED

  /**
   * The caller named by the identity headers, or null when neither header is present. Either header alone, a
   * malformed id or a name that is not UTF-8 is 401 (the request is not authenticated); a repeated header is
   * 400 (a proxy that appends instead of replacing is misconfigured, and picking one would be a guess).
   */
  public static Caller fromHeaders(MultiMap headers) {
    String id = single(headers, ID_HEADER);
    String name = single(headers, NAME_HEADER);
    if (id == null && name == null) {
      return null;
    }
    if (id == null || name == null) {
      throw ApiException.unauthorized("missing_identity",
          ID_HEADER + " and " + NAME_HEADER + " headers are required (set by the forward-auth proxy)");
    }
    String raw = id.strip();
    if (!raw.matches("^[0-9]{1,10}$") || Long.parseLong(raw) < 1 || Long.parseLong(raw) > MAX_USER_ID) {
      throw ApiException.unauthorized("missing_identity", ID_HEADER + " must be a whole number from 1 to "
          + MAX_USER_ID);
    }
    String username = decodeName(name).strip();
    if (username.isEmpty() || username.getBytes(StandardCharsets.UTF_8).length > 255
        || username.codePoints().anyMatch(Character::isISOControl)) {
      throw ApiException.unauthorized("missing_identity", NAME_HEADER + " is not a valid MediaWiki user name");
    }
    return new Caller(Long.parseLong(raw), username);
  }

  /** As {@link #fromHeaders}, but the headers must be there (401 otherwise). */
  public static Caller required(MultiMap headers) {
    Caller caller = fromHeaders(headers);
    if (caller == null) {
      throw ApiException.unauthorized("missing_identity",
          ID_HEADER + " and " + NAME_HEADER + " headers are required (set by the forward-auth proxy)");
    }
    return caller;
  }

  private static String single(MultiMap headers, String name) {
    List<String> values = headers.getAll(name);
    if (values.size() > 1) {
      throw ApiException.badRequest("duplicate_identity_header", "the " + name + " header was sent "
          + values.size() + " times; the proxy must replace it, not append to it");
    }
    return values.isEmpty() ? null : values.get(0);
  }

  /** Header chars are bytes (ISO-8859-1); read them as UTF-8, then undo percent-encoding if present. */
  private static String decodeName(String headerValue) {
    byte[] bytes = headerValue.getBytes(StandardCharsets.ISO_8859_1);
    if (PERCENT_ESCAPE.matcher(headerValue).find()) {
      bytes = percentDecode(bytes);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw ApiException.unauthorized("missing_identity", NAME_HEADER + " is not valid UTF-8");
    }
  }

  /** %XX → byte; everything else (including '+', which is not a space here) kept as it is. */
  private static byte[] percentDecode(byte[] in) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(in.length);
    for (int i = 0; i < in.length; i++) {
      if (in[i] == '%' && i + 2 < in.length && hex(in[i + 1]) >= 0 && hex(in[i + 2]) >= 0) {
        out.write(hex(in[i + 1]) * 16 + hex(in[i + 2]));
        i += 2;
      } else {
        out.write(in[i]);
      }
    }
    return out.toByteArray();
  }

  private static int hex(byte b) {
    return Character.digit((char) b, 16);
  }
}
