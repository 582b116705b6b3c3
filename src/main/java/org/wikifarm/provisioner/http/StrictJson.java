package org.wikifarm.provisioner.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Request bodies as strict JSON (RFC 8259): no comments, no byte-order mark, no trailing content, no duplicate
 * keys, sent as {@code application/json} (parameters such as {@code charset} allowed). Vert.x's own decoder is
 * lenient about comments, so bodies are parsed here.
 */
final class StrictJson {
  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private StrictJson() {}

  /** 415 unless the request declares exactly {@code application/json}. */
  static void requireJsonContentType(HttpServerRequest request) {
    String contentType = request.getHeader("Content-Type");
    String mediaType = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")) {
      throw new ApiException(415, "unsupported_media_type", "send the body as application/json");
    }
  }

  /** The body as a JSON object, or 400 {@code invalid_json} saying what is wrong with it. */
  static JsonObject parseObject(Buffer buffer) {
    if (!(parse(buffer, "a JSON object") instanceof Map<?, ?> map)) {
      throw ApiException.badRequest("invalid_json", "the request body must be a JSON object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) map;
    return new JsonObject(object);
  }

  /** The body as a JSON array, or 400 {@code invalid_json} saying what is wrong with it. */
  static JsonArray parseArray(Buffer buffer) {
    if (!(parse(buffer, "a JSON array") instanceof List<?> list)) {
      throw ApiException.badRequest("invalid_json", "the request body must be a JSON array");
    }
    return new JsonArray(new ArrayList<>(list));
  }

  private static Object parse(Buffer buffer, String expected) {
    if (buffer == null || buffer.length() == 0) {
      throw ApiException.badRequest("invalid_json", "the request body is empty; send " + expected);
    }
    byte[] bytes = buffer.getBytes();
    if (bytes.length >= 3 && (bytes[0] & 0xff) == 0xEF && (bytes[1] & 0xff) == 0xBB && (bytes[2] & 0xff) == 0xBF) {
      throw ApiException.badRequest("invalid_json", "the request body starts with a byte-order mark; send plain JSON");
    }
    try {
      return MAPPER.readValue(bytes, Object.class);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest("invalid_json", "the request body is not valid JSON"
          + (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
              ? " (a field appears twice)" : ""));
    } catch (IOException e) {
      throw ApiException.badRequest("invalid_json", "the request body is not valid JSON");
    }
  }
}
