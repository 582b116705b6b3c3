package org.wikifarm.provisioner.config;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** The parts of DATABASE_URL; {@link #FALLBACK} stands in while the URL is missing or invalid. */
record DatabaseUrl(String host, int port, String name, String user, String password) {
  static final DatabaseUrl FALLBACK =
      new DatabaseUrl("127.0.0.1", ConfigParser.DEFAULT_MYSQL_PORT, "mediawiki", "", "");

  /** @throws IllegalArgumentException naming the part that is wrong, never its value */
  static DatabaseUrl parse(String url) {
    URI uri = URI.create(url);
    if (!"mysql".equals(uri.getScheme()) && !"mariadb".equals(uri.getScheme())) {
      throw new IllegalArgumentException("scheme");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("host");
    }
    String name = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
    if (name.isEmpty() || !ConfigParser.IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("database");
    }
    String user = "";
    String password = "";
    String userInfo = uri.getRawUserInfo();
    if (userInfo != null) {
      int colon = userInfo.indexOf(':');
      user = URLDecoder.decode(colon < 0 ? userInfo : userInfo.substring(0, colon), StandardCharsets.UTF_8);
      password = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
    }
    if (user.isEmpty()) {
      throw new IllegalArgumentException("user");
    }
    return new DatabaseUrl(uri.getHost(), uri.getPort() == -1 ? ConfigParser.DEFAULT_MYSQL_PORT : uri.getPort(), name,
        user, password);
  }
}
