package org.wikifarm.provisioner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Parameter;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.ValidatableResponse;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.wikifarm.provisioner.embedded.ApiClient;
import org.wikifarm.provisioner.embedded.ApiClient.Exchange;

/**
 * src/main/resources/openapi.json (served at /provisioner/v1/openapi.json) is a valid OpenAPI 3.1 contract —
 * vertx-openapi loads it, checking it against the OpenAPI meta-schema — and every response an API test received
 * through {@link ApiClient} conforms to it, as vertx-openapi's {@link ResponseValidator} judges. {@link
 * ApiSession} first drives every route and every error status; the responses of API tests that ran earlier in
 * this JVM are checked as well (this class runs last when the test classes are ordered by {@link Order}).
 */
@Order(Integer.MAX_VALUE)
class OpenApiConformanceTest {
  /** Statuses the document's general rule (its info.description) allows on paths and methods it does not list. */
  private static final Set<Integer> UNLISTED_ROUTE_STATUSES = Set.of(401, 404, 405);
  /** Operations the session does not reach yet: DELETE /wikis/{slug} is being added in parallel. */
  private static final Set<String> NOT_DRIVEN = Set.of("deleteWiki");

  @Test
  void theDocumentIsValidAndEveryRecordedResponseConformsToIt() throws Exception {
    JsonObject document = document();
    ApiSession.drive(document);

    Vertx vertx = Vertx.vertx();
    try {
      OpenAPIContract contract = await(OpenAPIContract.from(vertx, document));
      ResponseValidator validator = ResponseValidator.create(vertx, contract);
      Validator errorShape = contract.getSchemaRepository().validator(JsonSchema.of(
          document.getJsonObject("components").getJsonObject("schemas").getJsonObject("Error")));
      List<Exchange> exchanges = ApiClient.recorded();
      List<String> problems = new ArrayList<>();
      Set<String> driven = new TreeSet<>();
      Set<Integer> statuses = new TreeSet<>();
      for (Exchange exchange : exchanges) {
        if (isProgressPage(exchange.path())) {
          continue; // the progress page and its files (/, /app.js, /ui.json, favicons…) are a UI, not the API
        }
        statuses.add(exchange.status());
        Operation operation = contract.findOperation(exchange.path(), HttpMethod.valueOf(exchange.method()));
        String problem = operation == null ? checkUnlisted(errorShape, exchange)
            : check(validator, operation, exchange);
        if (operation != null) {
          driven.add(operation.getOperationId());
        }
        if (problem != null) {
          problems.add(exchange.method() + " " + exchange.path() + " → " + exchange.status() + ": " + problem);
        }
      }
      System.out.println(exchanges.size() + " responses checked against the document");
      assertEquals(List.of(), problems, exchanges.size() + " responses checked");

      Set<String> undriven = new TreeSet<>();
      contract.operations().forEach(op -> undriven.add(op.getOperationId()));
      undriven.removeAll(driven);
      undriven.removeAll(NOT_DRIVEN);
      assertEquals(Set.of(), undriven, "operations no response was recorded for");
      assertTrue(statuses.containsAll(Set.of(200, 202, 400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 503)),
          "every error status was driven: " + statuses);
    } finally {
      vertx.close();
    }
  }

  /** The resource the service serves. */
  /** Everything outside the API prefixes and the probes is the progress page's (see http/ProgressPage). */
  private static boolean isProgressPage(String path) {
    String p = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
    return !(p.startsWith("/provisioner/") || p.startsWith("/manage/") || p.equals("/health") || p.equals("/ready")
        || p.equals("/metrics"));
  }

  static JsonObject document() throws Exception {
    try (InputStream in = OpenApiConformanceTest.class.getResourceAsStream("/" + OpenApiEndpoint.RESOURCE)) {
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** One response against its operation: status, declared headers, and the body of the documented media type. */
  private static String check(ResponseValidator validator, Operation operation, Exchange exchange) {
    Response declared = operation.getResponse(exchange.status());
    if (declared == null) {
      declared = operation.getDefaultResponse();
    }
    Map<String, String> headers = new HashMap<>();
    String mediaType = null;
    if (declared != null) {
      // the validator looks headers up by their documented name; HTTP header names are case-insensitive
      for (Parameter header : declared.getHeaders()) {
        exchange.headers().firstValue(header.getName()).ifPresent(value -> headers.put(header.getName(), value));
      }
      mediaType = documentedMediaType(declared, exchange.headers().firstValue("Content-Type").orElse(""));
      if (mediaType == null && !declared.getContent().isEmpty()) {
        return "Content-Type " + exchange.headers().firstValue("Content-Type").orElse("(none)")
            + " is not among the documented " + declared.getContent().keySet();
      }
    }
    // a response documented without content (the event stream) has a body the document does not describe
    boolean described = declared == null || !declared.getContent().isEmpty();
    Buffer body = exchange.body() == null || exchange.body().isEmpty() || !described ? null
        : Buffer.buffer(exchange.body());
    try {
      await(validator.validate(ValidatableResponse.create(exchange.status(), headers, body, mediaType),
          operation.getOperationId()));
      return null;
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return cause.getMessage() + details(cause) + " — body: " + abbreviate(exchange.body());
    }
  }

  /**
   * The content key that describes a response's Content-Type, as OpenAPI picks it: the exact media type with
   * its parameters, else the bare type/subtype (vertx-openapi itself compares keys only exactly).
   */
  private static String documentedMediaType(Response declared, String contentType) {
    if (declared.getContent().containsKey(contentType)) {
      return contentType;
    }
    String essence = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    return declared.getContent().containsKey(essence) ? essence : null;
  }

  /** A route the document does not list: its general rule, an error status with the Error body. */
  private static String checkUnlisted(Validator errorShape, Exchange exchange) {
    if (!UNLISTED_ROUTE_STATUSES.contains(exchange.status())) {
      return "not an operation of the document, and not one of " + UNLISTED_ROUTE_STATUSES;
    }
    try {
      OutputUnit result = errorShape.validate(new JsonObject(exchange.body()));
      return result.getValid() ? null : "not the Error shape: " + result.getErrors();
    } catch (RuntimeException e) {
      return "not the Error shape: " + e.getMessage() + " — body: " + abbreviate(exchange.body());
    }
  }

  private static String details(Throwable failure) {
    return failure instanceof io.vertx.openapi.validation.SchemaValidationException schema
        && schema.getOutputUnit() != null ? " " + schema.getOutputUnit().getErrors() : "";
  }

  private static String abbreviate(String body) {
    return body == null ? "(none)" : body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
