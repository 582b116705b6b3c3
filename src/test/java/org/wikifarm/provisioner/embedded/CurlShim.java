package org.wikifarm.provisioner.embedded;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The part of curl that README's examples use ({@code -s -N -X -H -d}, and {@code --fail-with-body}), in Java,
 * for {@link ReadmeCommandsTest} on a machine without curl: the examples still run, as written, through bash.
 * Anything else is refused, so an example using more of curl fails the test here instead of passing untried.
 */
public final class CurlShim {
  private CurlShim() {}

  public static void main(String[] args) throws Exception {
    String method = null;
    String data = null;
    String url = null;
    boolean fail = false;
    boolean contentType = false;
    HttpRequest.Builder request = HttpRequest.newBuilder().timeout(Duration.ofMinutes(3));
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "-s", "-N", "-sN", "-Ns" -> { } // silent and unbuffered is what this shim does anyway
        case "--fail-with-body" -> fail = true;
        case "-X" -> method = args[++i];
        case "-d" -> data = args[++i];
        case "-H" -> {
          String header = args[++i];
          contentType |= header.toLowerCase(java.util.Locale.ROOT).startsWith("content-type:");
          request.header(header.substring(0, header.indexOf(':')).strip(), header.substring(header.indexOf(':') + 1).strip());
        }
        default -> {
          if (arg.startsWith("-") || url != null) {
            System.err.println("curl shim: unsupported argument " + arg);
            System.exit(2);
          }
          url = arg;
        }
      }
    }
    if (method == null) {
      method = data == null ? "GET" : "POST";
    }
    if (data != null && !contentType) {
      request.header("Content-Type", "application/x-www-form-urlencoded"); // curl's default for -d
    }
    request.uri(URI.create(url)).method(method, data == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(data));
    HttpResponse<InputStream> response = HttpClient.newHttpClient().send(request.build(),
        HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = response.body()) {
      OutputStream out = System.out;
      byte[] buffer = new byte[8192];
      for (int n; (n = in.read(buffer)) > 0; ) {
        out.write(buffer, 0, n);
        out.flush(); // SSE: each event as it comes
      }
    }
    System.exit(fail && response.statusCode() >= 400 ? 22 : 0);
  }
}
