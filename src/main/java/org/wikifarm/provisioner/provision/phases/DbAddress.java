package org.wikifarm.provisioner.provision.phases;

import org.wikifarm.provisioner.provision.ProvisionException;

/**
 * Where the wiki database server listens, read from {@code host}, {@code host:port}, {@code [v6]:port} or a
 * bare IPv6 address (its colons are not a port separator); the port defaults to MariaDB's 3306.
 */
record DbAddress(String host, int port) {
  private static final int DEFAULT_PORT = 3306;

  static DbAddress parse(String address) throws ProvisionException {
    String host = address;
    int port = DEFAULT_PORT;
    int colon = address.lastIndexOf(':');
    if (address.startsWith("[")) { // [v6]:port
      int close = address.indexOf(']');
      if (close < 0) {
        throw invalid(address);
      }
      host = address.substring(1, close);
      colon = address.indexOf(':', close);
    } else if (colon != address.indexOf(':')) {
      colon = -1; // bare IPv6 without a port
    }
    if (colon >= 0) {
      if (!address.startsWith("[")) {
        host = address.substring(0, colon);
      }
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw invalid(address);
      }
    }
    return new DbAddress(host, port);
  }

  private static ProvisionException invalid(String address) {
    return new ProvisionException("invalid wiki database address '" + address + "': expected host[:port]");
  }
}
