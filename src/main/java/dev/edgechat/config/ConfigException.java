package dev.edgechat.config;

import java.util.List;

/**
 * Settings are missing, unknown, out of range or contradict one another. The message names each
 * bad setting and where it came from: every one found, not only the first, one a line.
 */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The setting at fault, for the reader that goes on past it; null when several are, or none alone. */
  private final transient String path;
  private final List<String> problems;

  public ConfigException(String message) {
    this(message, null);
  }

  ConfigException(String message, String path) {
    super(message);
    this.path = path;
    this.problems = List.of(message);
  }

  private ConfigException(List<String> problems) {
    super(problems.size() == 1 ? problems.get(0)
        : problems.size() + " settings are bad:\n  " + String.join("\n  ", problems));
    this.path = null;
    this.problems = List.copyOf(problems);
  }

  /** One exception for every problem found; with one, its message alone. */
  static ConfigException all(List<String> problems) {
    return new ConfigException(problems);
  }

  /** Each problem found, one message per bad setting (or pair of settings that contradict). */
  public List<String> problems() {
    return problems;
  }

  String path() {
    return path;
  }
}
