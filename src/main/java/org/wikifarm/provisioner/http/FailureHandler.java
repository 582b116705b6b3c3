package org.wikifarm.provisioner.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.wikifarm.provisioner.manage.ManageException;
import org.wikifarm.provisioner.store.DeleteRefusedException;
import org.wikifarm.provisioner.store.MigrationRequiredException;
import org.wikifarm.provisioner.store.RateLimiter;
import org.wikifarm.provisioner.store.SlugTakenException;
import org.wikifarm.provisioner.store.StoreUnavailableException;
import org.wikifarm.provisioner.support.Failures;

/**
 * The one place that turns failures into HTTP responses. Typed exceptions map to their status; anything
 * unexpected becomes a 500 whose body names only an incident id (the details go to the log), so stack traces,
 * SQL and secrets never reach clients.
 */
public final class FailureHandler implements Handler<RoutingContext> {
  private static final Logger LOG = Logger.getLogger(FailureHandler.class.getName());

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // too late for a JSON error (e.g. an SSE stream broke): just end it
      response.reset();
      return;
    }
    ApiException error = toApiException(ctx);
    if (error instanceof ApiException.RateLimited limited) {
      response.putHeader("Retry-After", Long.toString(limited.retryAfterSeconds()));
    }
    if (error.status() == 503) {
      response.putHeader("Retry-After", "5");
    }
    if (error.status() == 401) {
      response.putHeader("WWW-Authenticate", "Bearer");
    }
    send(response, error);
  }

  static void send(HttpServerResponse response, ApiException error) {
    JsonObject body = new JsonObject().put("code", error.code()).put("message", error.getMessage());
    if (error.details() != null) {
      body.put("details", error.details());
    }
    Responses.json(response, error.status(), new JsonObject().put("error", body));
  }

  /** A failure raised by Netty's HTTP decoder while it read this request. */
  private static boolean fromHttpCodec(Throwable failure) {
    if (failure == null) {
      return false;
    }
    if (failure instanceof io.netty.handler.codec.DecoderException
        || failure instanceof io.netty.handler.codec.TooLongFrameException) {
      return true;
    }
    StackTraceElement[] stack = failure.getStackTrace();
    return stack.length > 0 && stack[0].getClassName().startsWith("io.netty.handler.codec.http.");
  }

  private static ApiException toApiException(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      return api;
    }
    if (failure instanceof ManageException manage) {
      return new ApiException(manage.status(), manage.code(), manage.getMessage(), manage.details());
    }
    if (failure instanceof SlugTakenException taken) {
      return new ApiException(409, "slug_taken", "the slug '" + taken.slug() + "' is already taken",
          new JsonObject().put("field", "slug"));
    }
    if (failure instanceof DeleteRefusedException refused) {
      return switch (refused.reason()) {
        case NOT_FOUND -> ApiException.notFound(refused.getMessage());
        case NOT_OWNER -> new ApiException(403, "not_owner", refused.getMessage());
        case BUSY -> new ApiException(409, "wiki_busy", refused.getMessage(), refused.status() == null ? null
            : new JsonObject().put("status", refused.status().wire()));
      };
    }
    if (failure instanceof MigrationRequiredException migration) {
      return new ApiException(501, "migration_required", migration.getMessage());
    }
    if (failure instanceof RateLimiter.LimitedException limited) {
      return new ApiException.RateLimited(limited.retryAfterSeconds());
    }
    if (failure instanceof StoreUnavailableException unavailable) {
      LOG.warning("dependency unavailable on " + ctx.request().method() + " " + ctx.normalizedPath() + ": "
          + Failures.rootMessage(unavailable));
      return ApiException.unavailable(unavailable.getMessage());
    }
    if (fromHttpCodec(failure)) {
      // the body broke mid-request (bad chunking, a truncated stream): the client's fault, one line is enough
      LOG.warning("malformed request body on " + ctx.request().method() + " " + ctx.normalizedPath() + " from "
          + ctx.request().remoteAddress() + ": " + failure);
      ctx.response().putHeader("Connection", "close");
      return ApiException.badRequest("malformed_request", "the HTTP request body could not be decoded");
    }
    if (failure instanceof DecodeException) {
      return ApiException.badRequest("invalid_json", "the request body is not valid JSON");
    }
    if (Failures.isTransient(failure)) { // a connection-level failure of MariaDB or Redis: retry, not the client's fault
      LOG.warning("dependency unavailable on " + ctx.request().method() + " " + ctx.normalizedPath() + ": " + failure);
      return ApiException.unavailable("a backing service (database or Redis) is unavailable; retry shortly");
    }
    int status = failure instanceof HttpException http ? http.getStatusCode() : ctx.statusCode();
    switch (status) {
      case 400:
        return ApiException.badRequest("bad_request", "the request is malformed");
      case 401:
        return ApiException.unauthorized("unauthorized", "missing or invalid credentials");
      case 403:
        return new ApiException(403, "forbidden", "not allowed");
      case 404:
        return ApiException.notFound("no such resource: " + ctx.request().method() + " " + ctx.normalizedPath());
      case 405:
        return new ApiException(405, "method_not_allowed", ctx.request().method() + " is not allowed here");
      case 413:
        return new ApiException(413, "payload_too_large", "the request body is larger than the limit");
      case 415:
        return new ApiException(415, "unsupported_media_type", "send the body as application/json");
      default:
        String incident = UUID.randomUUID().toString();
        LOG.log(Level.SEVERE, "incident " + incident + " on " + ctx.request().method() + " " + ctx.normalizedPath(),
            failure);
        return new ApiException(500, "internal_error",
            "internal error (incident " + incident + "); the operator can find it in the service log");
    }
  }
}
