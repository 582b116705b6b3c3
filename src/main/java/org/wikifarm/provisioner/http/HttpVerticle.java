package org.wikifarm.provisioner.http;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpServerRequest;
import org.wikifarm.provisioner.config.AppConfig;
import org.wikifarm.provisioner.manage.Favicons;

/**
 * The HTTP front door: builds the router from endpoints (each only registers its routes), installs the
 * body limit, optional bearer auth and the one failure handler, and listens. Several instances share the
 * port, one per event loop.
 */
public final class HttpVerticle extends VerticleBase {
  public static final String API_BASE = "/provisioner/v1";
  public static final String MANAGE_BASE = "/manage/v1";
  /** A favicon of the largest accepted size, wrapped in a multipart body. */
  static final long MANAGE_BODY_LIMIT = Favicons.MAX_BYTES + 64 * 1024;
  private static final Logger LOG = Logger.getLogger(HttpVerticle.class.getName());

  private final AppConfig.Http config;
  private final List<Consumer<Router>> apiEndpoints;
  private final List<Consumer<Router>> manageEndpoints;
  private final Consumer<Router> rootRoutes;
  private HttpServer server;

  /**
   * @param apiEndpoints register routes under {@value #API_BASE} (auth applies)
   * @param manageEndpoints register routes under {@value #MANAGE_BASE} (auth applies; raw bodies, larger limit)
   * @param rootRoutes registers unauthenticated routes at the root (probes, the progress page)
   */
  public HttpVerticle(AppConfig.Http config, List<Consumer<Router>> apiEndpoints,
      List<Consumer<Router>> manageEndpoints, Consumer<Router> rootRoutes) {
    this.config = config;
    this.apiEndpoints = List.copyOf(apiEndpoints);
    this.manageEndpoints = List.copyOf(manageEndpoints);
    this.rootRoutes = rootRoutes;
  }

  @Override
  public Future<?> start() {
    Router root = Router.router(vertx);
    FailureHandler failures = new FailureHandler();

    Router api = Router.router(vertx);
    if (!config.apiToken().isEmpty()) {
      api.route().handler(new BearerTokenHandler(config.apiToken()));
    }
    // bodies are buffered only up to the limit (413 beyond it), on the methods that carry one: a GET (the lists,
    // the slug check: the hottest routes) skips the handler altogether
    BodyHandler bodies = BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes());
    api.route().method(HttpMethod.POST).method(HttpMethod.PUT).method(HttpMethod.PATCH).method(HttpMethod.DELETE)
        .handler(bodies);
    apiEndpoints.forEach(endpoint -> endpoint.accept(api));
    api.route().failureHandler(failures);
    root.route(API_BASE + "/*").subRouter(api);

    Router manage = Router.router(vertx);
    if (!config.apiToken().isEmpty()) {
      manage.route().handler(new BearerTokenHandler(config.apiToken()));
    }
    // raw bytes (a multipart favicon must reach the endpoint whole) up to the favicon's limit; the JSON routes
    // of ManageEndpoint hold their bodies to the v1 limit themselves
    manage.route().handler(new RawBodyHandler(MANAGE_BODY_LIMIT));
    manageEndpoints.forEach(endpoint -> endpoint.accept(manage));
    manage.route().failureHandler(failures);
    root.route(MANAGE_BASE + "/*").subRouter(manage);

    rootRoutes.accept(root);
    root.route().failureHandler(failures);
    root.errorHandler(404, ctx -> FailureHandler.send(ctx.response(),
        ApiException.notFound("no such resource: " + ctx.request().method() + " " + ctx.normalizedPath())));
    root.errorHandler(405, ctx -> FailureHandler.send(ctx.response(),
        new ApiException(405, "method_not_allowed", ctx.request().method() + " is not allowed on " + ctx.normalizedPath())));
    root.errorHandler(500, failures);

    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setCompressionSupported(false) // SSE must not be buffered by compression
        .setIdleTimeout(0)
        // no WebSocket here: without these Vert.x leaves Netty's WebSocket extension handler out of every
        // connection's pipeline, which every write (each SSE frame of every client) passed through
        .setPerFrameWebSocketCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false);
    server = vertx.createHttpServer(options).requestHandler(root)
        .invalidRequestHandler(HttpVerticle::rejectUndecodable)
        // a client that breaks its connection is not the service's problem: one line, no stack trace
        .exceptionHandler(e -> LOG.fine(() -> "connection error: " + e));
    return server.listen();
  }

  /** Stops accepting, lets in-flight requests finish (up to 10 s), then closes. */
  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(10, TimeUnit.SECONDS);
  }

  /**
   * A request the HTTP codec could not decode (URI or headers too long, broken chunking, a bad Content-Length)
   * gets the same JSON error shape as every other error, and one WARNING line.
   */
  private static void rejectUndecodable(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiException(414, "uri_too_long", "the request line is longer than the server accepts");
    } else if (cause instanceof TooLongHttpHeaderException) {
      error = new ApiException(431, "headers_too_large", "the request headers are larger than the server accepts");
    } else {
      error = ApiException.badRequest("malformed_request", "the HTTP request could not be decoded");
    }
    LOG.warning("rejected an undecodable request from " + request.remoteAddress() + " with " + error.status() + ": "
        + (cause == null ? "unknown" : cause.getClass().getSimpleName() + ": " + cause.getMessage()));
    FailureHandler.send(request.response().putHeader("Connection", "close"), error);
  }

  /** Binding beyond loopback with neither a token nor header identity lets anyone create wikis as anyone. */
  public static void warnIfOpenToAnyone(AppConfig.Http http) {
    if (!http.loopbackOnly() && http.apiToken().isEmpty() && http.identity() == AppConfig.Identity.BODY) {
      LOG.warning("!!! listening on " + http.host()
          + " without PROVISIONER_API_TOKEN and with identity from the request body: anyone who can reach this "
          + "port can create wikis as anyone. Set PROVISIONER_API_TOKEN or WIKIFARM_IDENTITY=headers, or bind "
          + "127.0.0.1.");
    }
  }

  public int actualPort() {
    return server.actualPort();
  }
}
