package dev.edgechat.gateway;

import dev.edgechat.cache.AnswerKey;
import dev.edgechat.cache.ConversationDigests;
import dev.edgechat.config.EdgechatConfig.GatewayProfile;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A {@code POST /v1/chat/completions} body, checked, with what the gateway derives from it: the
 * body it sends upstream (always streamed, always with usage, so that any answer can be cached
 * and replayed in either form) and its cache key.
 *
 * <p>The key is the normalized request: the body without the fields that do not change the answer
 * ({@link #IGNORED}), its objects' fields sorted and its numbers written one way ({@code 0} and
 * {@code 0.0} are the same temperature), with OpenAI's defaults filled in ({@code temperature} 1).
 * It is an {@link AnswerKey} so that the edge's answer cache holds it: the "site" is the gateway
 * profile and the digest of its upstream's base URL and everything but the last message; the "question" the digest of the
 * last message. Requests that differ only in their last user message thus share a site, which is
 * where the semantic level looks for a question meaning the same.
 *
 * @param upstreamBody what is sent upstream
 * @param stream whether the caller wants chunks
 * @param includeUsage whether the caller asked for the usage chunk ({@code stream_options.include_usage})
 * @param temperature the sampling temperature, 1 when not given (OpenAI's default)
 * @param question the text of the last message when a user wrote it, else null (no semantic match)
 */
record CompletionRequest(JsonObject upstreamBody, String model, boolean stream, boolean includeUsage,
    double temperature, AnswerKey key, String question) {

  /** Fields that do not change the answer, or that the gateway sets itself. */
  static final Set<String> IGNORED = Set.of("stream", "stream_options", "user", "metadata", "store", "service_tier",
      "safety_identifier", "prompt_cache_key");

  /**
   * Reads and checks a body.
   *
   * @param profile the caller's gateway profile: cached answers are shared within a profile and its upstream only
   * @throws GatewayError 400 naming the field when the body is not a valid chat completion request
   */
  static CompletionRequest parse(JsonObject body, GatewayProfile profile) {
    String model = model(body);
    JsonArray messages = messages(body);
    boolean stream = flag(body, "stream");
    boolean includeUsage = false;
    Object options = body.getValue("stream_options");
    if (options != null) {
      if (!(options instanceof JsonObject streamOptions)) {
        throw GatewayError.invalidRequest("'stream_options' must be an object", "stream_options");
      }
      if (!stream) {
        throw GatewayError.invalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.",
            "stream_options");
      }
      includeUsage = flag(streamOptions, "include_usage");
    }
    Object n = body.getValue("n");
    if (n != null && !(n instanceof Number count && count.doubleValue() == 1)) {
      throw GatewayError.invalidRequest("the gateway answers one choice per request: 'n' must be 1", "n");
    }
    double temperature = 1;
    Object t = body.getValue("temperature");
    if (t != null) {
      if (!(t instanceof Number number) || number.doubleValue() < 0 || number.doubleValue() > 2) {
        throw GatewayError.invalidRequest("'temperature' must be a number from 0 to 2", "temperature");
      }
      temperature = number.doubleValue();
    }
    JsonObject upstream = body.copy();
    upstream.put("stream", true).put("stream_options", new JsonObject().put("include_usage", true));
    JsonObject context = new JsonObject();
    for (Map.Entry<String, Object> field : body) {
      if (!IGNORED.contains(field.getKey()) && !"messages".equals(field.getKey())) {
        context.put(field.getKey(), field.getValue());
      }
    }
    context.put("temperature", temperature);
    JsonArray earlier = messages.copy();
    JsonObject last = (JsonObject) earlier.remove(earlier.size() - 1);
    context.put("messages", earlier);
    // the upstream is in the key: a profile pointed at another upstream (a restart with a new
    // configuration; the region's Redis keeps answers for an hour) must not find the old one's answers
    String scope = profile.baseUrl() + "\n" + canonical(context);
    AnswerKey key = new AnswerKey("gw:" + profile.name() + ":" + sha256(scope), 0, sha256(canonical(last)),
        ConversationDigests.NONE);
    return new CompletionRequest(upstream, model, stream, includeUsage, temperature, key, userText(last));
  }

  private static String model(JsonObject body) {
    Object model = body.getValue("model");
    if (model == null) {
      throw GatewayError.invalidRequest("you must provide a model parameter", "model");
    }
    if (!(model instanceof String name) || name.isBlank() || name.length() > 200) {
      throw GatewayError.invalidRequest("'model' must be a non-empty string of at most 200 characters", "model");
    }
    return name;
  }

  private static JsonArray messages(JsonObject body) {
    Object value = body.getValue("messages");
    if (value == null) {
      throw GatewayError.invalidRequest("Missing required parameter: 'messages'.", "messages");
    }
    if (!(value instanceof JsonArray messages) || messages.isEmpty()) {
      throw GatewayError.invalidRequest("'messages' must be a non-empty array", "messages");
    }
    for (int i = 0; i < messages.size(); i++) {
      if (!(messages.getValue(i) instanceof JsonObject message)) {
        throw GatewayError.invalidRequest("'messages[" + i + "]' must be an object", "messages[" + i + "]");
      }
      if (!(message.getValue("role") instanceof String role) || role.isBlank()) {
        throw GatewayError.invalidRequest("'messages[" + i + "].role' must be a non-empty string",
            "messages[" + i + "].role");
      }
      Object content = message.getValue("content");
      if (content != null && !(content instanceof String) && !(content instanceof JsonArray)) {
        throw GatewayError.invalidRequest("'messages[" + i + "].content' must be a string or an array of parts",
            "messages[" + i + "].content");
      }
    }
    return messages;
  }

  private static boolean flag(JsonObject json, String field) {
    Object value = json.getValue(field);
    if (value != null && !(value instanceof Boolean)) {
      throw GatewayError.invalidRequest("'" + field + "' must be a boolean", field);
    }
    return Boolean.TRUE.equals(value);
  }

  /** The text a user wrote in {@code message} (its string, or its text parts joined), else null. */
  private static String userText(JsonObject message) {
    if (!"user".equals(message.getString("role"))) {
      return null;
    }
    Object content = message.getValue("content");
    if (content instanceof String text) {
      return text.isBlank() ? null : text;
    }
    if (content instanceof JsonArray parts) {
      StringBuilder text = new StringBuilder();
      for (Object part : parts) {
        if (part instanceof JsonObject object && "text".equals(object.getString("type"))
            && object.getValue("text") instanceof String piece) {
          text.append(text.length() == 0 ? "" : " ").append(piece);
        } else {
          return null; // an image or a file: the words alone do not say what was asked
        }
      }
      return text.length() == 0 ? null : text.toString();
    }
    return null;
  }

  /** JSON with every object's fields sorted and every number written one way. */
  static String canonical(Object value) {
    Object canonical = canonicalValue(value);
    return canonical instanceof JsonObject json ? json.encode()
        : canonical instanceof JsonArray array ? array.encode() : Json.encode(canonical);
  }

  private static Object canonicalValue(Object value) {
    if (value instanceof JsonObject object) {
      JsonObject sorted = new JsonObject();
      new TreeMap<>(object.getMap()).keySet().forEach(k -> sorted.put(k, canonicalValue(object.getValue(k))));
      return sorted;
    }
    if (value instanceof JsonArray array) {
      JsonArray out = new JsonArray();
      array.forEach(item -> out.add(canonicalValue(item)));
      return out;
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue(); // exact: a double cannot tell seeds above 2^53 apart
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    }
    if (value instanceof Number number) {
      double d = number.doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (Object) (long) d : (Object) d;
    }
    return value;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
