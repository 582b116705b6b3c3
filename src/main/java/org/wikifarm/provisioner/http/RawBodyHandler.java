package org.wikifarm.provisioner.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Buffers the raw request body, whatever its content type, up to a limit (413 beyond it, before buffering
 * when {@code Content-Length} already says so). The manage API needs the raw bytes of a multipart upload, which
 * Vert.x's {@code BodyHandler} does not keep (it streams file parts to disk instead), and a larger limit for
 * the favicon than the v1 API's. Must run before anything asynchronous, like the {@code BodyHandler}.
 */
final class RawBodyHandler implements Handler<RoutingContext> {
  private static final String KEY = "wikifarm.raw-body";

  private final long limit;

  RawBodyHandler(long limit) {
    this.limit = limit;
  }

  /** The body this handler buffered (empty when there was none). */
  static Buffer body(RoutingContext ctx) {
    Buffer body = ctx.get(KEY);
    return body == null ? Buffer.buffer() : body;
  }

  @Override
  public void handle(RoutingContext ctx) {
    HttpServerRequest request = ctx.request();
    String declared = request.getHeader("Content-Length");
    if (declared != null && declared.matches("^[0-9]{1,18}$") && Long.parseLong(declared) > limit) {
      tooLarge(ctx);
      return;
    }
    if (request.isEnded()) {
      ctx.put(KEY, Buffer.buffer());
      ctx.next();
      return;
    }
    if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) {
      ctx.response().writeContinue(); // curl waits for this before sending a large upload
    }
    Buffer body = Buffer.buffer();
    boolean[] failed = {false};
    request.handler(chunk -> {
      if (failed[0]) {
        return;
      }
      if (body.length() + chunk.length() > limit) {
        failed[0] = true;
        tooLarge(ctx);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.exceptionHandler(e -> {
      if (!failed[0]) {
        failed[0] = true;
        ctx.fail(e);
      }
    });
    request.endHandler(v -> {
      if (!failed[0]) {
        ctx.put(KEY, body);
        ctx.next();
      }
    });
  }

  /** The rest of the body is not read, so the connection is closed after the answer. */
  private static void tooLarge(RoutingContext ctx) {
    ctx.response().putHeader("Connection", "close");
    ctx.fail(new ApiException(413, "payload_too_large", "the request body is larger than the limit"));
  }
}
