package dev.edgechat.config;

/**
 * What the running jar holds. The developer's jar ({@code edgechat.jar}) holds everything; the slim jar of the
 * image ({@code edgechat-slim.jar}) leaves out the embedded databases and the bench, so role {@code all} there
 * needs the databases' URLs.
 */
public final class Artifact {

  private Artifact() {
  }

  /** Whether this jar holds {@code className}, without initialising it. */
  public static boolean holds(String className) {
    try {
      Class.forName(className, false, Artifact.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * Fails the start, naming the settings to give, when {@code database} (an embedded server whose library is
   * {@code className}) is not in this jar.
   */
  public static void requireEmbedded(String database, String className) {
    if (!holds(className)) {
      throw new ConfigException("embedded " + database + " is not in this artifact (edgechat-slim.jar has no embedded"
          + " databases): set EDGECHAT_POSTGRES_URL and EDGECHAT_REDIS_URL for role all, or run the developer's jar,"
          + " edgechat.jar");
    }
  }
}
