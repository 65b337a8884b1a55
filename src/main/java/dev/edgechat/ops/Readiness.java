package dev.edgechat.ops;

import io.vertx.core.Future;

/** One dependency whose state {@code /readyz} reports. */
public interface Readiness {

  /** The dependency's name in the report, e.g. {@code postgres}. */
  String name();

  /** Succeeds when the dependency answers; fails with the reason when it does not. */
  Future<Void> check();
}
