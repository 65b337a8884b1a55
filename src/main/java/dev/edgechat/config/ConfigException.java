package dev.edgechat.config;

/** A setting is missing, unknown or out of range. The message names the setting and where it came from. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
