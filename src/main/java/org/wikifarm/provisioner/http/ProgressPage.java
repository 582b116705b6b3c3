package org.wikifarm.provisioner.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/** Serves the progress page (plain HTML/JS from {@code webroot/} in the jar, no build step) at {@code /}. */
public final class ProgressPage {
  private ProgressPage() {}

  public static void register(Router root) {
    root.get("/*").handler(StaticHandler.create("webroot").setCachingEnabled(false).setIndexPage("index.html"));
  }
}
