package dev.edgechat.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Incremental parser of a {@code text/event-stream}: feed it buffers as they arrive (an event or
 * a line, even a UTF-8 character, may be split across buffers) and it hands over whole events.
 * Comment lines ({@code : ping}) are skipped; several {@code data:} lines are joined with newlines.
 */
public final class SseParser implements Handler<Buffer> {

  private final Handler<SseEvent> onEvent;
  /** The start of a line whose end has not arrived yet, as bytes (a UTF-8 character may be split). */
  private byte[] pending = new byte[256];
  private int pendingLength;
  private String id;
  private String event;
  private StringBuilder data;
  private boolean lastWasCr;

  public SseParser(Handler<SseEvent> onEvent) {
    this.onEvent = Objects.requireNonNull(onEvent);
  }

  /**
   * Reads a chunk: one copy of its bytes, then a scan for line ends; each whole line is decoded
   * once, a line's beginning kept until its end arrives. (Byte by byte into a stream, as before,
   * was the largest single cost of a streamed gateway request: a bounds check and a lock per byte.)
   */
  @Override
  public void handle(Buffer chunk) {
    byte[] bytes = chunk.getBytes();
    int start = 0;
    boolean afterCr = lastWasCr;
    for (int i = 0; i < bytes.length; i++) {
      byte b = bytes[i];
      if (b == '\n') {
        if (!afterCr) {
          endOfLine(line(bytes, start, i));
        }
        start = i + 1;
        afterCr = false;
      } else if (b == '\r') {
        endOfLine(line(bytes, start, i));
        start = i + 1;
        afterCr = true;
      } else {
        afterCr = false;
      }
    }
    lastWasCr = afterCr;
    keep(bytes, start, bytes.length);
  }

  private String line(byte[] bytes, int from, int to) {
    if (pendingLength == 0) {
      return new String(bytes, from, to - from, StandardCharsets.UTF_8);
    }
    keep(bytes, from, to);
    String text = new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
    pendingLength = 0;
    return text;
  }

  private void keep(byte[] bytes, int from, int to) {
    int length = to - from;
    if (length == 0) {
      return;
    }
    if (pendingLength + length > pending.length) {
      pending = Arrays.copyOf(pending, Math.max(pending.length * 2, pendingLength + length));
    }
    System.arraycopy(bytes, from, pending, pendingLength, length);
    pendingLength += length;
  }

  private void endOfLine(String text) {
    if (text.isEmpty()) {
      dispatch();
      return;
    }
    if (text.charAt(0) == ':') {
      return;
    }
    int colon = text.indexOf(':');
    String field = colon < 0 ? text : text.substring(0, colon);
    String value = colon < 0 ? "" : text.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    switch (field) {
      case "id" -> id = value;
      case "event" -> event = value;
      case "data" -> {
        if (data == null) {
          data = new StringBuilder(value);
        } else {
          data.append('\n').append(value);
        }
      }
      default -> {
        // unknown fields (retry, …) are ignored, as the SSE spec says
      }
    }
  }

  private void dispatch() {
    if (data != null) {
      onEvent.handle(new SseEvent(id, event == null ? "message" : event, data.toString()));
    }
    id = null;
    event = null;
    data = null;
  }
}
