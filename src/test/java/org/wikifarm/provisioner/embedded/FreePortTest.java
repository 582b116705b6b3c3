package org.wikifarm.provisioner.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The ports tests hand to servers started a moment later ({@link EmbeddedMariaDb#freePort}). */
class FreePortTest {

  @Test
  void portsAreBindableDistinctAndOutsideTheEphemeralRange() throws Exception {
    int ephemeral = EmbeddedMariaDb.ephemeralRangeStart();
    try (InputStream range = Files.newInputStream(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      assertEquals(new String(range.readAllBytes(), StandardCharsets.US_ASCII).trim().split("\\s+")[0],
          Integer.toString(ephemeral), "the kernel's ephemeral range starts there");
    }
    Set<Integer> ports = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      int port = EmbeddedMariaDb.freePort();
      // an outgoing connection's local port comes from the ephemeral range: one there could be taken before
      // the server that was promised it binds (ClusterTest's Hazelcast port once was)
      assertTrue(port >= EmbeddedMariaDb.FIRST_PICKED_PORT && port < ephemeral,
          port + " is not in [" + EmbeddedMariaDb.FIRST_PICKED_PORT + ", " + ephemeral + ")");
      assertTrue(ports.add(port), "port " + port + " handed out twice");
      try (ServerSocket server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        assertEquals(port, server.getLocalPort());
      }
    }
  }
}
