package dev.edgechat.edge;

import dev.edgechat.web.ApiError;
import dev.edgechat.web.RequestBodies;
import io.vertx.core.json.JsonObject;
import java.util.regex.Pattern;

/** A visitor's {@code POST /v1/chat} body (API.md §1), checked. */
record ChatRequest(String site, String message, String conversation, String visitor) {

  private static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
  private static final Pattern VISITOR_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  static ChatRequest from(JsonObject body, int maxMessageChars) {
    String site = RequestBodies.requiredText(body, "site", 64);
    if (!SITE_ID.matcher(site).matches()) {
      throw ApiError.invalidRequest("field 'site' is not a valid site id");
    }
    String message = RequestBodies.requiredVisibleText(body, "message", maxMessageChars);
    String conversation = RequestBodies.optionalId(body, "conversation");
    String visitor = RequestBodies.optionalText(body, "visitor", 128);
    if (visitor != null && !VISITOR_ID.matcher(visitor).matches()) {
      throw ApiError.invalidRequest("field 'visitor' is not a valid id");
    }
    return new ChatRequest(site, message.strip(), conversation, visitor);
  }
}
