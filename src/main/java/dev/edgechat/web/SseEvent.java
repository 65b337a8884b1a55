package dev.edgechat.web;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;

/**
 * One server-sent event: {@code id}, {@code event} name and a single line of JSON {@code data}.
 *
 * @param id the event's id, or null when it had none
 */
public record SseEvent(String id, String event, String data) {

  public static SseEvent of(String event, JsonObject data) {
    return new SseEvent(null, event, data.encode());
  }

  public JsonObject json() {
    return new JsonObject(data);
  }

  public SseEvent withId(long newId) {
    return new SseEvent(Long.toString(newId), event, data);
  }

  /**
   * Appends the event in wire form under {@code newId}, whatever id it had: the same bytes as
   * {@code withId(newId).toBuffer()}, without the intermediate copies.
   */
  public void appendTo(Buffer out, long newId) {
    out.appendString("id: ").appendString(Long.toString(newId)).appendString("\nevent: ").appendString(event)
        .appendString("\ndata: ").appendString(data).appendString("\n\n");
  }

  /** The event in wire form under {@code newId}, whatever id it had: the bytes {@link #appendTo} appends. */
  public ByteBuf wireBytes(long newId) {
    return Unpooled.wrappedBuffer(
        ("id: " + newId + "\nevent: " + event + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
  }

  /** The event in wire form, ending with the blank line. */
  public Buffer toBuffer() {
    StringBuilder out = new StringBuilder(data.length() + 32);
    if (id != null) {
      out.append("id: ").append(id).append('\n');
    }
    out.append("event: ").append(event).append('\n');
    out.append("data: ").append(data).append("\n\n");
    return Buffer.buffer(out.toString());
  }
}
