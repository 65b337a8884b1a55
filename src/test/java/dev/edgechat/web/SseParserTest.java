package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSE parser hands over whole events whatever the chunking of the stream. */
class SseParserTest {

  private static final String STREAM = "id: 1\nevent: ready\ndata: {\"a\":1}\n\n"
      + ": ping\n\n"
      + "id: 2\r\nevent: token\r\ndata: {\"text\":\"Grüße ✓\"}\r\n\r\n"
      + "data: line one\ndata: line two\n\n";

  /** Verifies that every split of the stream, down to single bytes, yields the same events. */
  @Test
  void handle_anyChunking_sameEvents() {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size++) {
      assertThat(parsedInChunks(bytes, size)).as("chunk size %d", size).containsExactly(
          new SseEvent("1", "ready", "{\"a\":1}"),
          new SseEvent("2", "token", "{\"text\":\"Grüße ✓\"}"),
          new SseEvent(null, "message", "line one\nline two"));
    }
  }

  /**
   * Verifies that a lone carriage return ends a line as a line feed does, at any split, and that
   * a line longer than the parser's first buffer arrives whole.
   */
  @Test
  void handle_loneCarriageReturnsAndLongLines_anyChunking_sameEvents() {
    String longText = "x".repeat(1000) + "é";
    byte[] bytes = ("event: a\rdata: one\r\rdata: " + longText + "\n\r\n")
        .getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size++) {
      assertThat(parsedInChunks(bytes, size)).as("chunk size %d", size).containsExactly(
          new SseEvent(null, "a", "one"), new SseEvent(null, "message", longText));
    }
  }

  /**
   * Verifies the forms of a field line the SSE spec allows: no space after the colon, a second space
   * kept, no colon at all (an empty value), unknown fields and near-names ignored, and a first data
   * line that is empty still joined with the next.
   */
  @Test
  void handle_fieldForms_readAsTheSpecSays() {
    byte[] bytes = ("data:tight\n\n" + "data:  two spaces\n\n" + "data\n\n" + "event\ndata: x\n\n"
        + "retry: 5\ndatum: no\nevents: no\nid:9\ndata: y\n\n" + "data:\ndata: after empty\n\n")
        .getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= bytes.length; size++) {
      assertThat(parsedInChunks(bytes, size)).as("chunk size %d", size).containsExactly(
          new SseEvent(null, "message", "tight"),
          new SseEvent(null, "message", " two spaces"),
          new SseEvent(null, "message", ""),
          new SseEvent(null, "", "x"),
          new SseEvent("9", "message", "y"),
          new SseEvent(null, "message", "\nafter empty"));
    }
  }

  /** Verifies that what SseEvent writes, the parser reads back. */
  @Test
  void toBuffer_parsedBack_equal() {
    SseEvent event = new SseEvent("7", "done", "{\"cache\":\"miss\"}");
    List<SseEvent> events = new ArrayList<>();
    new SseParser(events::add).handle(event.toBuffer());
    assertThat(events).containsExactly(event);
  }

  /** The events the parser hands over when {@code bytes} arrive in chunks of {@code size} bytes. */
  private static List<SseEvent> parsedInChunks(byte[] bytes, int size) {
    List<SseEvent> events = new ArrayList<>();
    SseParser parser = new SseParser(events::add);
    for (int i = 0; i < bytes.length; i += size) {
      parser.handle(Buffer.buffer().appendBytes(bytes, i, Math.min(size, bytes.length - i)));
    }
    return events;
  }
}
