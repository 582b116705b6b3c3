package org.wikifarm.provisioner.cluster;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxServiceProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The {@link Vertx} of a node that does not cluster ({@code cluster.enabled} false) and of the one-shot commands.
 * Vert.x instantiates every {@link VertxServiceProvider} listed on the class path when it starts, and
 * vertx-hazelcast lists its cluster manager there, which loads Hazelcast into a JVM that never clusters. This
 * builds the Vert.x with that one list entry hidden ({@link ClusteredVertx} passes its manager explicitly, so it
 * never needs the entry either); every other provider (metrics, SQL client) is found as usual.
 */
public final class StandaloneVertx {
  private StandaloneVertx() {}

  public static Vertx create(VertxOptions options) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    // Vert.x looks its providers up through the context class loader, during this call only
    thread.setContextClassLoader(new WithoutClusterManagers(
        previous != null ? previous : StandaloneVertx.class.getClassLoader()));
    try {
      return Vertx.vertx(options);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /**
   * Its parent in every respect, except that the lines naming a cluster manager are left out of the provider
   * lists. Lines, not whole files: the fat jar merges every library's list into one file (the shade plugin's
   * ServicesResourceTransformer), where the cluster manager sits next to the metrics factory and the SQL
   * client's provider, which must still be found.
   */
  static final class WithoutClusterManagers extends ClassLoader {
    private static final String PROVIDERS = "META-INF/services/" + VertxServiceProvider.class.getName();
    /** The package of Vert.x's cluster managers (Hazelcast, Infinispan, Ignite, Zookeeper). */
    private static final String CLUSTER_MANAGERS = "io.vertx.spi.cluster.";

    WithoutClusterManagers(ClassLoader parent) {
      super(parent);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      Enumeration<URL> found = super.getResources(name);
      if (!PROVIDERS.equals(name)) {
        return found;
      }
      List<URL> kept = new ArrayList<>();
      for (URL list : Collections.list(found)) {
        String text;
        try (InputStream in = list.openStream()) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!text.contains(CLUSTER_MANAGERS)) {
          kept.add(list);
          continue;
        }
        String others = text.lines().filter(line -> !line.trim().startsWith(CLUSTER_MANAGERS))
            .collect(Collectors.joining("\n", "", "\n"));
        kept.add(inMemory(list, others.getBytes(StandardCharsets.UTF_8)));
      }
      return Collections.enumeration(kept);
    }

    /** A URL whose content is {@code bytes} (the list without its cluster-manager lines). */
    private static URL inMemory(URL original, byte[] bytes) throws IOException {
      URLStreamHandler handler = new URLStreamHandler() {
        @Override
        protected URLConnection openConnection(URL url) {
          return new URLConnection(url) {
            @Override
            public void connect() {}

            @Override
            public InputStream getInputStream() {
              return new ByteArrayInputStream(bytes);
            }
          };
        }
      };
      return new URL(null, "wikifarm-filtered:" + original, handler);
    }
  }
}
