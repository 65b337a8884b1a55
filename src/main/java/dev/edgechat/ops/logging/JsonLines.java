package dev.edgechat.ops.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * One JSON object per line: {@code timestamp} (ISO-8601, UTC, milliseconds), {@code level},
 * {@code logger}, {@code thread}, {@code message}, {@code exception} (the stack, when there is
 * one), {@code role}, {@code region}, {@code trace_id}, {@code span_id}, and {@code site_id},
 * {@code conversation_id}, {@code message_id} where the request named them ({@link LogContext}).
 *
 * <p>Design note. Logback's own {@code JsonEncoder} writes the time as epoch milliseconds and
 * nests MDC under a key of its own, and logstash-logback-encoder is not among the libraries this
 * build can take; so this small encoder writes the fields, through Jackson's generator (already on
 * the class path with Vert.x), which does the escaping. The request's fields are read when the line
 * is encoded, on the logging thread: right for the synchronous console appender used here; an
 * asynchronous appender would need them captured first.
 */
public final class JsonLines extends EncoderBase<ILoggingEvent> {

  private static final JsonFactory JSON = new JsonFactory();
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
  private static final byte[] NONE = new byte[0];

  @Override
  public byte[] headerBytes() {
    return NONE;
  }

  @Override
  public byte[] footerBytes() {
    return NONE;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("timestamp", TIMESTAMP.format(event.getInstant()));
      json.writeStringField("level", event.getLevel().toString());
      json.writeStringField("logger", event.getLoggerName());
      json.writeStringField("thread", event.getThreadName());
      json.writeStringField("message", event.getFormattedMessage());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        json.writeStringField("exception", ThrowableProxyUtil.asString(thrown));
      }
      Optional<LogContext> request = LogContext.current();
      if (request.isPresent()) {
        LogContext log = request.get();
        field(json, "role", log.role());
        field(json, "region", log.region());
        field(json, "trace_id", log.traceId());
        field(json, "span_id", log.spanId());
        field(json, "site_id", log.site());
        field(json, "conversation_id", log.conversation());
        field(json, "message_id", log.message());
      } else {
        field(json, "role", LogContext.processRole());
        field(json, "region", LogContext.processRegion());
        field(json, "trace_id", LogContext.tracerTraceId().orElse(null));
        field(json, "span_id", LogContext.tracerSpanId().orElse(null));
      }
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.write('\n');
    return out.toByteArray();
  }

  private static void field(JsonGenerator json, String name, String value) throws IOException {
    if (value != null) {
      json.writeStringField(name, value);
    }
  }
}
