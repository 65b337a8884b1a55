package dev.edgechat.bench;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One phase of the {@code plan} scenario: its settings and what was measured.
 *
 * @param name e.g. {@code baseline}, {@code phase1}, {@code only-streaming}
 * @param description one line for the report
 * @param switches the {@code EDGECHAT_*} settings over the common ones (the edge-config switches)
 * @param nearEdge whether visitors asked an edge near them
 * @param async whether visitors asked with {@code Prefer: respond-async}
 * @param cut whether answers still under way shortly after the last arrival were cut rather than
 *     waited for (the phase's figures are taken when requests start)
 * @param rate arrivals per second (open loop)
 * @param seconds arrival window
 * @param measured what the visitors measured
 * @param upstream the sim's counters over the phase ({@code chatCalls}, {@code embeddingCalls} …)
 * @param server figures read from the servers' metrics ({@code dbMsPerRequest}, {@code similarityMeanMs} …)
 */
record PlanPhase(String name, String description, Map<String, String> switches, boolean nearEdge, boolean async,
    boolean cut, double rate, double seconds, VisitorLoad.Measured measured, JsonObject upstream, JsonObject server) {

  PlanPhase {
    Objects.requireNonNull(name);
    switches = new LinkedHashMap<>(switches);
  }

  /** Successful answers per second of the arrival window: the offered rate when every visit succeeded. */
  double goodput() {
    return measured.succeeded() / seconds;
  }

  /** Failed requests, plus those still unanswered when the phase ended unless the phase cut them on purpose. */
  long failures() {
    return measured.errors() + (cut ? 0 : unanswered());
  }

  /** Visits whose first question was still unanswered when the phase ended. */
  long unanswered() {
    return Math.max(0, measured.loop().unfinished() - measured.followUpsUnderWay());
  }

  JsonObject toJson() {
    JsonObject series = new JsonObject();
    measured.micros().keySet().stream().sorted().forEach(name -> series.put(name, measured.latency(name).toJson()));
    return new JsonObject()
        .put("name", name)
        .put("description", description)
        .put("switches", new JsonObject(new LinkedHashMap<String, Object>(switches)))
        .put("nearEdge", nearEdge)
        .put("async", async)
        .put("cut", cut)
        .put("ratePerSecond", rate)
        .put("seconds", seconds)
        .put("requests", measured.requests())
        .put("succeeded", measured.succeeded())
        .put("errors", measured.errors())
        .put("unanswered", unanswered())
        .put("followUpsUnderWay", measured.followUpsUnderWay())
        .put("goodputPerSecond", Latency.round2(goodput()))
        .put("errorCauses", new JsonObject(new LinkedHashMap<String, Object>(measured.errorCauses())))
        .put("cacheOutcomes", new JsonObject(new LinkedHashMap<String, Object>(measured.cacheOutcomes())))
        .put("series", series)
        .put("upstream", upstream)
        .put("server", server);
  }
}
