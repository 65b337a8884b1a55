package dev.edgechat.config;

/** The check every settings builder makes: each value is set before the record is built. */
final class Required {

  private Required() {
  }

  /** {@code value}; fails naming {@code name} when it was never set. */
  static <T> T value(T value, String name) {
    if (value == null) {
      throw new IllegalStateException(name + " is not set");
    }
    return value;
  }
}
