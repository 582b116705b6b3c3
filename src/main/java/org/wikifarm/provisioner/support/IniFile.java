package org.wikifarm.provisioner.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code pubwiki.ini} held as its exact text plus the position of every key's value, so a value can be
 * replaced without changing any other byte (comments, blank lines, key order, spacing, line endings).
 *
 * <h2>Contract with LocalSettings.php</h2>
 * The wiki reads the file with PHP's <b>default scanner</b>: {@code parse_ini_file($file)} (that is
 * {@code INI_SCANNER_NORMAL}, no sections needed). Every value written by {@link #set} is a double-quoted
 * string in which exactly three characters are backslash-escaped: {@code \ → \\}, {@code " → \"},
 * {@code $ → \$}; the one exception is a {@code "} directly followed by a line break, which PHP would take as
 * the end of the string, so it is written as a separate single-quoted piece ({@code "a"'"'"⏎b"}: adjacent
 * quoted pieces concatenate). In that scanner this reads back byte for byte: no {@code ${…}} interpolation, no
 * constants, no {@code ;} comments, no boolean conversion, and newlines, CR and tabs stay inside the string
 * so they cannot start a new key. UTF-8 is written as is. The only value that cannot be represented is one
 * containing NUL (PHP's scanner stops there); {@link #set} rejects it, as it rejects unpaired surrogates.
 *
 * <p>{@code INI_SCANNER_RAW} is deliberately not the contract: it has no escape at all, so a value containing
 * both {@code '} and {@code "} (a wiki named {@code Bob's "Wiki"}) cannot be written for it.
 *
 * <p>Flags written by {@link #setFlag} are the bare words {@code true}/{@code false}, which the default scanner
 * reads as {@code "1"}/{@code ""}; LocalSettings.php should test them for truthiness.
 */
public final class IniFile {
  private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.-]+");
  private static final Set<PosixFilePermission> MODE_0640 = PosixFilePermissions.fromString("rw-r-----");

  /** One {@code key = value} occurrence: the value's span in the text and its decoded form. */
  private record Entry(String key, int valueStart, int valueEnd, String value) {}

  private String text;
  private List<Entry> entries;

  private IniFile(String text) throws IniFormatException {
    this.text = text;
    this.entries = parse(text);
  }

  public static IniFile load(Path file) throws IOException, IniFormatException {
    return new IniFile(Files.readString(file, StandardCharsets.UTF_8));
  }

  /**
   * The key/value pairs of an ini file, later duplicates winning as in PHP. Quoted values are decoded the way
   * PHP's default scanner decodes them; unquoted values are returned verbatim (trimmed, without a trailing
   * {@code ;} comment), so a bare {@code true} reads as {@code "true"} here, not PHP's {@code "1"}.
   */
  public static Map<String, String> read(Path file) throws IOException, IniFormatException {
    return load(file).values();
  }

  public Map<String, String> values() {
    Map<String, String> out = new LinkedHashMap<>();
    entries.forEach(e -> out.put(e.key(), e.value()));
    return out;
  }

  public Optional<String> get(String key) {
    return Optional.ofNullable(values().get(key));
  }

  public String text() {
    return text;
  }

  /** Sets {@code key} to a string value (every occurrence), appending {@code key = …} at the end if absent. */
  public void set(String key, String value) throws IniFormatException {
    replace(key, quote(value));
  }

  /** Sets {@code key} to a bare {@code true}/{@code false}. */
  public void setFlag(String key, boolean value) throws IniFormatException {
    replace(key, Boolean.toString(value));
  }

  /** The encoding described in the class comment; rejects what PHP cannot read back. */
  public static String quote(String value) {
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("a NUL character cannot be stored in pubwiki.ini");
    }
    try {
      StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(value));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("an unpaired surrogate cannot be stored in pubwiki.ini");
    }
    StringBuilder out = new StringBuilder(value.length() + 8).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      char next = i + 1 < value.length() ? value.charAt(i + 1) : 0;
      if (c == '"' && (next == '\n' || next == '\r')) {
        // PHP ends a double-quoted string at \" directly before a line break (for "C:\" paths), so this
        // quote goes into a single-quoted piece; adjacent quoted pieces concatenate in the default scanner
        out.append("\"'\"'\"");
      } else {
        if (c == '\\' || c == '"' || c == '$') {
          out.append('\\');
        }
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  private void replace(String key, String encoded) throws IniFormatException {
    if (!KEY.matcher(key).matches()) {
      throw new IllegalArgumentException("not an ini key: " + key);
    }
    StringBuilder out = new StringBuilder(text);
    boolean found = false;
    // right to left, so earlier spans keep their offsets
    for (int i = entries.size() - 1; i >= 0; i--) {
      Entry e = entries.get(i);
      if (e.key().equals(key)) {
        out.replace(e.valueStart(), e.valueEnd(), spacedLikeTheKey(e) + encoded);
        found = true;
      }
    }
    if (!found) {
      if (out.length() > 0 && out.charAt(out.length() - 1) != '\n') {
        out.append(lineEnding());
      }
      out.append(key).append(" = ").append(encoded).append(lineEnding());
    }
    text = out.toString();
    entries = parse(text);
  }

  /** An empty {@code KEY =} gets {@code KEY = value}, an empty {@code KEY=} gets {@code KEY=value}. */
  private String spacedLikeTheKey(Entry e) {
    int at = e.valueStart();
    boolean emptyAfterEquals = e.valueStart() == e.valueEnd() && at >= 2 && text.charAt(at - 1) == '='
        && text.charAt(at - 2) == ' ';
    return emptyAfterEquals ? " " : "";
  }

  private String lineEnding() {
    return text.contains("\r\n") ? "\r\n" : "\n";
  }

  /**
   * Writes the text to {@code file} atomically (a sibling temp file renamed over it), mode 0640, keeping the
   * owner and group of the file it replaces. The temp file has a fixed name ({@link #tempFileFor}) so a
   * crash's leftover is overwritten by the next write and found by rollback.
   */
  public void writeAtomically(Path file) throws IOException {
    Path tmp = tempFileFor(file);
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(MODE_0640))) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(true);
    }
    Files.setPosixFilePermissions(tmp, MODE_0640); // the create-time mode is subject to the umask
    if (Files.exists(file)) {
      PosixFileAttributes old = Files.readAttributes(file, PosixFileAttributes.class);
      PosixFileAttributeView view = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
      PosixFileAttributes now = view.readAttributes();
      if (!now.owner().equals(old.owner())) {
        view.setOwner(old.owner());
      }
      if (!now.group().equals(old.group())) {
        view.setGroup(old.group());
      }
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  public static Path tempFileFor(Path file) {
    return file.resolveSibling("." + file.getFileName() + ".tmp");
  }

  // ---- parsing: the subset of PHP's ini grammar that pubwiki.ini uses

  private static List<Entry> parse(String s) throws IniFormatException {
    List<Entry> out = new ArrayList<>();
    int pos = 0;
    int line = 1;
    while (pos < s.length()) {
      int start = skipBlanks(s, pos);
      int eol = endOfLine(s, start);
      char c = start < s.length() ? s.charAt(start) : '\n';
      int eq = s.indexOf('=', start);
      if (c == ';' || c == '#' || c == '[' || c == '\n' || c == '\r' || eq < 0 || eq > eol) {
        line++;
        pos = eol + 1;
        continue;
      }
      String key = s.substring(start, eq).strip();
      int valueStart = skipBlanks(s, eq + 1);
      int valueEnd;
      String value;
      char q = valueStart < s.length() ? s.charAt(valueStart) : '\n';
      if (q == '"' || q == '\'') {
        // one or more adjacent quoted pieces, concatenated as PHP's default scanner does
        StringBuilder pieces = new StringBuilder();
        int next = valueStart;
        valueEnd = valueStart;
        while (next < s.length() && (s.charAt(next) == '"' || s.charAt(next) == '\'')) {
          char quote = s.charAt(next);
          int close = quote == '"' ? closingDoubleQuote(s, next + 1) : s.indexOf('\'', next + 1);
          if (close < 0) {
            throw new IniFormatException("unterminated quoted value for " + key + " on line " + line);
          }
          String inner = s.substring(next + 1, close);
          pieces.append(quote == '"' ? unescape(inner) : inner);
          valueEnd = close + 1;
          next = skipBlanks(s, valueEnd);
        }
        value = pieces.toString();
        eol = endOfLine(s, valueEnd);
      } else {
        int semicolon = s.indexOf(';', valueStart);
        int stop = semicolon >= 0 && semicolon < eol ? semicolon : eol;
        value = s.substring(valueStart, stop).stripTrailing();
        valueEnd = valueStart + value.length();
      }
      out.add(new Entry(key, valueStart, valueEnd, value));
      line += (int) s.substring(start, Math.min(eol + 1, s.length())).chars().filter(ch -> ch == '\n').count();
      pos = eol + 1;
    }
    return out;
  }

  private static int skipBlanks(String s, int pos) {
    while (pos < s.length() && (s.charAt(pos) == ' ' || s.charAt(pos) == '\t')) {
      pos++;
    }
    return pos;
  }

  /** Index of the '\n' ending the line at pos (a preceding '\r' stays in the line), or the text's length. */
  private static int endOfLine(String s, int pos) {
    int nl = s.indexOf('\n', pos);
    return nl < 0 ? s.length() : nl;
  }

  private static int closingDoubleQuote(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '"') {
        return i;
      }
    }
    return -1;
  }

  /** PHP's zend_ini_escape_string for double quotes: only \\ \" \$ are escapes, other backslashes stay. */
  private static String unescape(String inner) {
    StringBuilder out = new StringBuilder(inner.length());
    for (int i = 0; i < inner.length(); i++) {
      char c = inner.charAt(i);
      if (c == '\\' && i + 1 < inner.length()) {
        char next = inner.charAt(i + 1);
        if (next == '\\' || next == '"' || next == '$') {
          out.append(next);
          i++;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  /** The file is not an ini file this class can edit safely (e.g. an unterminated quoted value). */
  public static final class IniFormatException extends Exception {
    public IniFormatException(String message) {
      super(message);
    }
  }
}
