package dev.edgechat.gateway;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;

/**
 * What the gateway needs of one upstream {@code chat.completion.chunk}: its first choice's
 * {@code delta} as the upstream wrote it, that choice's {@code finish_reason}, the {@code usage},
 * {@code model} and {@code system_fingerprint}, or the {@code error} it carries.
 *
 * <p>Design note: a stream is dozens of chunks a second per caller, and all the gateway does with
 * most of them is to pass their delta on and keep it for the cache. Decoding each chunk into a
 * {@link JsonObject} and encoding its delta again cost a map, its entries and two copies of the
 * text per chunk; instead one pass of Jackson's streaming parser reads the few fields above and
 * cuts the delta out of the chunk's text (its start and end offsets), so a delta reaches the
 * callers and the cache byte for byte as the upstream sent it. The pass reads every token, so a
 * chunk that is not a JSON object still fails as before. Only {@code usage} and {@code error},
 * which come once, are decoded whole. A delta written over several lines (an upstream that sends a
 * chunk in several {@code data:} lines) is encoded again on one line, as a data line must be.
 *
 * @param delta the first choice's {@code delta} object as JSON text on one line, or null when it has none
 * @param deltaCarries whether that delta has a field whose value is neither null nor the empty string
 * @param finishReason the first choice's {@code finish_reason}, or null
 * @param usage the chunk's {@code usage} object, or null
 * @param error the chunk's {@code error} object, or null
 */
record UpstreamChunk(String delta, boolean deltaCarries, String finishReason, JsonObject usage, String model,
    String fingerprint, JsonObject error) {

  private static final JsonFactory JSON = new JsonFactory();

  /**
   * Reads a chunk's {@code data}.
   *
   * @throws DecodeException when it is not one JSON object
   */
  static UpstreamChunk parse(String data) {
    try (JsonParser parser = JSON.createParser(data)) {
      Reader reader = new Reader(data, parser);
      UpstreamChunk chunk = reader.chunk();
      if (parser.nextToken() != null) {
        throw new DecodeException("more than one JSON value in a chunk");
      }
      return chunk;
    } catch (IOException e) {
      throw new DecodeException("malformed chunk: " + e.getMessage());
    }
  }

  /** The delta as an object (for the first chunk, whose delta is rewritten). */
  JsonObject deltaObject() {
    return delta == null ? null : new JsonObject(delta);
  }

  /** One pass over one chunk. */
  private static final class Reader {

    private final String data;
    private final JsonParser parser;
    private String delta;
    private boolean deltaCarries;
    private String finishReason;
    private JsonObject usage;
    private String model;
    private String fingerprint;
    private JsonObject error;

    Reader(String data, JsonParser parser) {
      this.data = data;
      this.parser = parser;
    }

    UpstreamChunk chunk() throws IOException {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new DecodeException("a chunk must be a JSON object");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "model" -> model = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "system_fingerprint" -> fingerprint = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "usage" -> usage = value == JsonToken.START_OBJECT ? new JsonObject(raw()) : skip(null);
          case "error" -> error = value == JsonToken.START_OBJECT ? new JsonObject(raw()) : skip(null);
          case "choices" -> {
            if (value == JsonToken.START_ARRAY) {
              choices();
            } else {
              parser.skipChildren();
            }
          }
          default -> parser.skipChildren();
        }
      }
      return new UpstreamChunk(delta, deltaCarries, finishReason, usage, model, fingerprint, error);
    }

    /** The choices array, at its start: the first choice is read, the others skipped. */
    private void choices() throws IOException {
      boolean first = true;
      for (JsonToken item = parser.nextToken(); item != JsonToken.END_ARRAY; item = parser.nextToken()) {
        if (first && item == JsonToken.START_OBJECT) {
          choice();
        } else {
          parser.skipChildren();
        }
        first = false;
      }
    }

    private void choice() throws IOException {
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("delta".equals(field) && value == JsonToken.START_OBJECT) {
          int start = (int) parser.currentTokenLocation().getCharOffset();
          deltaCarries = deltaFields();
          String text = data.substring(start, (int) parser.currentLocation().getCharOffset());
          delta = text.indexOf('\n') < 0 && text.indexOf('\r') < 0 ? text : new JsonObject(text).encode();
        } else if ("finish_reason".equals(field) && value == JsonToken.VALUE_STRING) {
          finishReason = parser.getText();
        } else {
          parser.skipChildren();
        }
      }
    }

    /** Reads a delta's fields up to its end: whether one of them says anything. */
    private boolean deltaFields() throws IOException {
      boolean carries = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        JsonToken value = parser.nextToken();
        if (value == JsonToken.VALUE_STRING) {
          carries |= parser.getTextLength() > 0;
        } else {
          carries |= value != JsonToken.VALUE_NULL;
          parser.skipChildren();
        }
      }
      return carries;
    }

    /** The object or array the parser is at, as text, the parser moved past its end. */
    private String raw() throws IOException {
      int start = (int) parser.currentTokenLocation().getCharOffset();
      parser.skipChildren();
      return data.substring(start, (int) parser.currentLocation().getCharOffset());
    }

    private <T> T skip(T none) throws IOException {
      parser.skipChildren();
      return none;
    }
  }
}
