package org.wikifarm.provisioner.manage;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.wikifarm.provisioner.support.AtomicFiles;

/**
 * A wiki's favicon (SPEC §4.4): a PNG, ICO or JPEG of at most 2 MiB whose bytes are what its declared type
 * says, stored as {@code <wiki>/favicon.ico} (browsers sniff the content, whatever the name). Every check runs
 * before anything is written, and the file is replaced atomically, so a rejected or failed upload leaves the
 * previous icon as it was.
 */
public final class Favicons {
  public static final int MAX_BYTES = 2 * 1024 * 1024;
  public static final String FILE_NAME = "favicon.ico";

  /** The formats accepted, each with its signature (the first bytes of every such file). */
  public enum Format {
    PNG(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}),
    ICO(new byte[] {0, 0, 1, 0}),
    JPEG(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff});

    private final byte[] magic;

    Format(byte[] magic) {
      this.magic = magic;
    }

    boolean matches(byte[] bytes) {
      if (bytes.length < magic.length) {
        return false;
      }
      for (int i = 0; i < magic.length; i++) {
        if (bytes[i] != magic[i]) {
          return false;
        }
      }
      // an ICO header is followed by its image count (little-endian, at least one)
      return this != ICO || (bytes.length >= 6 && ((bytes[4] & 0xff) | (bytes[5] & 0xff) << 8) > 0);
    }
  }

  private static final Map<String, Format> DECLARED = Map.of(
      "image/png", Format.PNG, "image/x-icon", Format.ICO, "image/vnd.microsoft.icon", Format.ICO,
      "image/jpeg", Format.JPEG);

  private final ManagedWikis wikis;
  private final Path wikiRoot;

  public Favicons(ManagedWikis wikis, Path wikiRoot) {
    this.wikis = wikis;
    this.wikiRoot = wikiRoot;
  }

  /**
   * The format of an upload: 400 when empty, 413 beyond {@value #MAX_BYTES} bytes, 415 when the declared type
   * is not one of PNG / ICO / JPEG or the bytes are not what it declares.
   */
  public static Format check(byte[] bytes, String declaredType) {
    if (bytes.length == 0) {
      throw ManageException.badRequest("empty_favicon", "the favicon is empty");
    }
    if (bytes.length > MAX_BYTES) {
      throw new ManageException(413, "payload_too_large", "the favicon may be at most 2 MiB");
    }
    String type = declaredType == null ? "" : declaredType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    Format declared = DECLARED.get(type);
    if (declared == null) {
      throw new ManageException(415, "unsupported_media_type", "send the favicon as image/png, image/x-icon "
          + "(or image/vnd.microsoft.icon) or image/jpeg, alone or as the one file of a multipart/form-data body");
    }
    if (!declared.matches(bytes)) {
      throw new ManageException(415, "favicon_type_mismatch", "the file's content is not the " + type
          + " it is declared as");
    }
    return declared;
  }

  /** Checks the upload, then replaces the wiki's favicon with it. */
  public Future<JsonObject> put(String slug, long callerId, byte[] bytes, String declaredType) {
    Format format = check(bytes, declaredType);
    JsonObject result = new JsonObject().put("format", format.name().toLowerCase(Locale.ROOT))
        .put("bytes", bytes.length);
    return wikis.change(slug, callerId, (held, wiki) -> wikis.blocking(() -> {
      Path dir = wikiRoot.resolve(slug);
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new ManageException(409, "wiki_dir_missing", "the wiki's directory is missing; the operator "
            + "must restore it");
      }
      AtomicFiles.write(dir.resolve(FILE_NAME), bytes, AtomicFiles.readableByAll());
      return result;
    })).onSuccess(r -> ManagedWikis.audit(callerId, "favicon.replace", slug, "ok", result));
  }
}
