package org.wikifarm.provisioner.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/** The MediaWiki language codes a wiki may be created with, shipped as {@code mediawiki-languages.txt}. */
public final class Languages {
  private static final Set<String> CODES = load();

  private Languages() {}

  public static boolean isKnown(String code) {
    return CODES.contains(code);
  }

  private static Set<String> load() {
    try (InputStream in = Languages.class.getResourceAsStream("/mediawiki-languages.txt")) {
      if (in == null) {
        throw new IllegalStateException("mediawiki-languages.txt is missing from the classpath");
      }
      Set<String> codes = new HashSet<>();
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        String code = line.strip();
        if (!code.isEmpty() && !code.startsWith("#")) {
          codes.add(code);
        }
      }
      return Set.copyOf(codes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
