package dev.edgechat.support;

import dev.edgechat.topology.ServiceBinaries;
import dev.edgechat.topology.Topology;
import dev.edgechat.topology.TopologySettings;
import java.util.Objects;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A multi-region {@link Topology} of real processes, started once per test class and stopped after
 * it: {@code @ExtendWith(TopologyExtension.class)} with the default settings (edges in {@code fra}
 * 90 ms and {@code sin} 180 ms from origin in {@code ord}, the sim upstream, the demo site), or
 * {@code @RegisterExtension static TopologyExtension topology = new TopologyExtension(settings)}. Test
 * methods, constructors and lifecycle methods get it as a {@code Topology} parameter. Without Debian's
 * Postgres 15 and Redis (CI installs them with {@code scripts/install-services.sh}) the class is
 * skipped, saying what is missing.
 */
public final class TopologyExtension implements BeforeAllCallback, ParameterResolver {

  private final TopologySettings settings;

  public TopologyExtension() {
    this(TopologySettings.defaults());
  }

  public TopologyExtension(TopologySettings settings) {
    this.settings = Objects.requireNonNull(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Optional<String> missing = ServiceBinaries.missing();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "skipped, no topology on this machine: " + missing.orElse(""));
    // an AutoCloseable in the class's store is closed when the class is done
    store(context).getOrComputeIfAbsent(Topology.class, type -> Topology.start(settings), Topology.class);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == Topology.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return store(context).get(Topology.class, Topology.class);
  }

  private static ExtensionContext.Store store(ExtensionContext context) {
    return context.getStore(ExtensionContext.Namespace.create(TopologyExtension.class, context.getRequiredTestClass()));
  }
}
