package org.wikifarm.provisioner.store;

/** The unique slug index rejected an insert: another wiki row (in any status) holds the slug. */
public final class SlugTakenException extends RuntimeException {
  private final String slug;

  public SlugTakenException(String slug) {
    super("slug '" + slug + "' is already taken");
    this.slug = slug;
  }

  public String slug() {
    return slug;
  }
}
