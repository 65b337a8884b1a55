package dev.edgechat.web;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks JSON request bodies and their fields, failing with the matching {@link ApiError}. */
public final class RequestBodies {

  /**
   * Media types a JSON body may arrive under: JSON itself, {@code text/plain} (a browser sends it
   * without a CORS preflight) and the form type {@code curl -d} sends by default.
   */
  private static final Set<String> JSON_COMPATIBLE = Set.of(
      "application/json", "text/plain", "application/x-www-form-urlencoded");

  /** Opaque ids: URL-safe, 8 to 64 characters. */
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{8,64}");

  private RequestBodies() {
  }

  /** The body read by {@link JsonBodyHandler} as a JSON object; 415 for other media types, 400 for anything that is not a JSON object. */
  public static JsonObject json(RoutingContext ctx) {
    String contentType = ctx.request().getHeader("Content-Type");
    if (contentType != null) {
      String mediaType = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
      if (!mediaType.isEmpty() && !JSON_COMPATIBLE.contains(mediaType) && !mediaType.endsWith("+json")) {
        throw ApiError.unsupportedMediaType("send the body as application/json, not " + mediaType);
      }
    }
    Buffer body = JsonBodyHandler.body(ctx);
    if (body == null || body.length() == 0) {
      throw ApiError.invalidRequest("the body must be a JSON object");
    }
    try {
      Object parsed = body.toJsonValue();
      if (parsed instanceof JsonObject object) {
        return object;
      }
      throw ApiError.invalidRequest("the body must be a JSON object");
    } catch (DecodeException e) {
      throw ApiError.invalidRequest("the body is not valid JSON");
    }
  }

  /** A required string field of 1..maxLength characters (not blank). */
  public static String requiredText(JsonObject body, String field, int maxLength) {
    String value = optionalText(body, field, maxLength);
    if (value == null || value.isBlank()) {
      throw ApiError.invalidRequest("field '" + field + "' is required");
    }
    return value;
  }

  /**
   * A required string field of 1..maxLength characters with something to read in it
   * ({@link VisibleText}): a text of only zero-width, format or bidi characters is as blank as one
   * of spaces, and no model can answer or embed it.
   */
  public static String requiredVisibleText(JsonObject body, String field, int maxLength) {
    String value = requiredText(body, field, maxLength);
    if (!VisibleText.in(value)) {
      throw ApiError.invalidRequest("field '" + field + "' has no visible character");
    }
    return value;
  }

  /** An optional string field of at most maxLength characters; null when absent. */
  public static String optionalText(JsonObject body, String field, int maxLength) {
    Object value = body.getValue(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      throw ApiError.invalidRequest("field '" + field + "' must be a string");
    }
    if (text.length() > maxLength) {
      throw ApiError.invalidRequest("field '" + field + "' is longer than " + maxLength + " characters");
    }
    if (hasControlCharacter(text)) {
      // Postgres refuses U+0000 in text; the other C0 controls are never meant in a question or document
      throw ApiError.invalidRequest("field '" + field + "' holds a control character (only tab and line breaks may)");
    }
    if (VisibleText.hasLoneSurrogate(text)) {
      // \ud800 alone is no character: it has no UTF-8 form to store or send on
      throw ApiError.invalidRequest("field '" + field + "' holds an unpaired surrogate (not valid Unicode)");
    }
    return text;
  }

  /** An optional opaque id field; null when absent. */
  public static String optionalId(JsonObject body, String field) {
    String value = optionalText(body, field, 64);
    if (value != null && !isId(value)) {
      throw ApiError.invalidRequest("field '" + field + "' is not a valid id");
    }
    return value;
  }

  private static boolean hasControlCharacter(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        return true;
      }
    }
    return false;
  }

  public static boolean isId(String value) {
    return value != null && ID.matcher(value).matches();
  }
}
