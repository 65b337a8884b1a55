package dev.edgechat.config;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * The settings in force now. Components that honour [tunable] settings read them through
 * {@link #get()} at the moment of use, so a reload takes effect on the next request.
 */
public final class LiveConfig implements Supplier<EdgechatConfig> {

  private final AtomicReference<EdgechatConfig> current;

  public LiveConfig(EdgechatConfig initial) {
    this.current = new AtomicReference<>(Objects.requireNonNull(initial));
  }

  @Override
  public EdgechatConfig get() {
    return current.get();
  }

  /** Applies the [tunable] settings of {@code reloaded}; every other setting keeps its value from start. */
  void applyTunables(EdgechatConfig reloaded) {
    current.updateAndGet(now -> Tunables.copy(reloaded, now));
  }

  /** Replaces the settings wholesale: for wiring at start (role all), not for reloads. */
  public void replace(EdgechatConfig config) {
    current.set(Objects.requireNonNull(config));
  }
}
