package dev.edgechat.jobs;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Objects;

/**
 * A job as stored in its hash {@code edgechat:job:<id>}.
 *
 * @param attempts tries started so far (a try whose worker died counts)
 * @param payload what the handler needs; never shown on the wire
 * @param result the handler's result once completed, else null
 * @param error the last try's error while delayed or once failed, else null
 */
public record Job(String id, String type, JobState state, int attempts, JsonObject payload, JsonObject result,
    String error, Instant createdAt, Instant updatedAt) {

  public Job {
    Objects.requireNonNull(id);
    Objects.requireNonNull(type);
    Objects.requireNonNull(state);
    Objects.requireNonNull(payload);
    Objects.requireNonNull(createdAt);
    Objects.requireNonNull(updatedAt);
  }

  /**
   * The job as {@code GET /v1/jobs/{id}} shows it (API.md §1):
   * {@code {"id","type","state","attempts","result"?,"error"?,"createdAt","updatedAt"}}; the payload
   * stays private.
   */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("type", type)
        .put("state", state.wire())
        .put("attempts", attempts);
    if (result != null) {
      json.put("result", result);
    }
    if (error != null) {
      json.put("error", error);
    }
    return json
        .put("createdAt", createdAt.toString())
        .put("updatedAt", updatedAt.toString());
  }
}
