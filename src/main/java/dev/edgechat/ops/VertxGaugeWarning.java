package dev.edgechat.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.Arrays;
import org.slf4j.Marker;

/**
 * Drops Micrometer's warning "This Gauge has been already registered" for Vert.x's own gauges
 * ({@code vertx.*}), which logback.xml installs. Vert.x Micrometer Metrics registers such a gauge
 * again for each client or server with the same tags, on purpose, to reach the one counter behind it
 * (vert-x3/vertx-micrometer-metrics#259, micrometer-metrics/micrometer#6931): nothing is lost, so the
 * warning, logged at every start, is noise. The same warning about any other gauge (ours) still shows.
 * Written by hand: logback filters a message by its text only through Janino, which we do not ship.
 */
public final class VertxGaugeWarning extends TurboFilter {

  private static final String MICROMETER = "io.micrometer.core.instrument.MeterRegistry";
  private static final String WARNING = "has been already registered";
  private static final String VERTX_METER = "name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null || level != Level.WARN || !MICROMETER.equals(logger.getName()) || !format.contains(WARNING)) {
      return FilterReply.NEUTRAL;
    }
    String said = params == null ? format : format + Arrays.toString(params);
    return said.contains(VERTX_METER) ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
