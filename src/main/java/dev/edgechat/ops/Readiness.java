package dev.edgechat.ops;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** One dependency whose state {@code /readyz} reports. */
public interface Readiness {

  /** The dependency's name in the report, e.g. {@code postgres}. */
  String name();

  /** Succeeds when the dependency answers; fails with the reason when it does not. */
  Future<Void> check();

  /**
   * Whether the process is unready without this dependency ({@code down}, 503). A dependency the
   * process can do without (a read replica: reads go to the primary) is reported {@code degraded}
   * when its check fails, and the process stays ready.
   */
  default boolean essential() {
    return true;
  }

  /** What the report adds to this dependency's entry besides {@code status} and {@code reason} (a replica's lag). */
  default JsonObject details() {
    return new JsonObject();
  }
}
