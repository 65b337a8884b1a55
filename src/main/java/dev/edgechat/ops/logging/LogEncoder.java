package dev.edgechat.ops.logging;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;

/**
 * The console's encoder (logback.xml): {@link JsonLines} when {@code format} is {@code json}, else
 * the text {@code pattern}. An unknown format writes text; the command line then refuses to start,
 * naming {@value LogFormat#VARIABLE} (logback itself has no way to stop the process).
 */
public final class LogEncoder extends EncoderBase<ILoggingEvent> {

  private String format = "text";
  private String pattern = "%d{yyyy-MM-dd'T'HH:mm:ss.SSS'Z',UTC} %-5level [%thread] %logger{20} - %msg%n";
  private Encoder<ILoggingEvent> chosen;

  public void setFormat(String format) {
    this.format = format;
  }

  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  @Override
  public void start() {
    if (LogFormat.parse(format).orElse(LogFormat.TEXT) == LogFormat.JSON) {
      chosen = new JsonLines();
    } else {
      PatternLayoutEncoder text = new PatternLayoutEncoder();
      text.setPattern(pattern);
      chosen = text;
    }
    chosen.setContext(getContext());
    chosen.start();
    super.start();
  }

  @Override
  public void stop() {
    if (chosen != null) {
      chosen.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return chosen.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return chosen.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return chosen.footerBytes();
  }
}
