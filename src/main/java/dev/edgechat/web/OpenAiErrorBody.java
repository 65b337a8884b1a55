package dev.edgechat.web;

import io.vertx.core.json.JsonObject;

/**
 * OpenAI's error body, {@code {"error":{"message","type","param","code"}}}: what the gateway
 * answers and what the sim answers, so that an OpenAI SDK raises the matching exception for both.
 */
public final class OpenAiErrorBody {

  private OpenAiErrorBody() {
  }

  /** The body; {@code param} and {@code code} may be null (OpenAI sends them as JSON null). */
  public static JsonObject of(String message, String type, String param, String code) {
    return new JsonObject().put("error", new JsonObject()
        .put("message", message)
        .put("type", type)
        .put("param", param)
        .put("code", code));
  }
}
