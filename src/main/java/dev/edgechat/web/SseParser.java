package dev.edgechat.web;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Incremental parser of a {@code text/event-stream}: feed it buffers as they arrive (an event or
 * a line, even a UTF-8 character, may be split across buffers) and it hands over whole events.
 * Comment lines ({@code : ping}) are skipped; several {@code data:} lines are joined with newlines.
 */
public final class SseParser implements Handler<Buffer> {

  private final Handler<SseEvent> onEvent;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
  private String id;
  private String event;
  private StringBuilder data;
  private boolean lastWasCr;

  public SseParser(Handler<SseEvent> onEvent) {
    this.onEvent = Objects.requireNonNull(onEvent);
  }

  @Override
  public void handle(Buffer chunk) {
    for (int i = 0; i < chunk.length(); i++) {
      byte b = chunk.getByte(i);
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endOfLine(line.toString(StandardCharsets.UTF_8));
        line.reset();
      } else {
        line.write(b);
      }
    }
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
