package dev.edgechat.bench;

import dev.edgechat.web.PlainWebClient;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The widget's load as a visitor's browser does it: the loader {@code /widget/edgechat.js}, then
 * the frame {@code /widget/frame.html} the loader embeds when the chat is first opened, then the
 * chat UI script the frame names, over a new connection per request (the client must not keep
 * connections alive). Timed from the first request to the last byte, bytes counted.
 *
 * <p>A cold visit fetches all three. A repeat visit after the loader's {@code max-age} ran out is
 * what a client cache that honours {@code Cache-Control} and {@code ETag} does (a browser's HTTP
 * cache): the loader and the frame ({@code no-cache}) revalidated with {@code If-None-Match} (a 304
 * each when unchanged), the UI (content-hashed, {@code immutable}) not asked at all. The widget's
 * service worker does better (it serves the frame from its cache), so this is the slower of the
 * two.
 */
final class WidgetLoad {

  private static final String LOADER = "/widget/edgechat.js";
  private static final String FRAME = "/widget/frame.html";

  /** The chat UI's content-hashed name, as the frame names it. */
  private static final Pattern UI_NAME = Pattern.compile("edgechat-ui\\.[0-9a-f]+\\.js");

  /** Milliseconds and bytes of the visits of one kind. */
  record Visits(String kind, List<Double> ms, long bytes, int requests) {

    double meanMs() {
      return ms.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    JsonObject toJson() {
      return new JsonObject().put("kind", kind).put("visits", ms.size()).put("meanMs", Latency.number(meanMs()))
          .put("bytesPerVisit", ms.isEmpty() ? 0 : bytes / ms.size())
          .put("requestsPerVisit", ms.isEmpty() ? 0 : (double) requests / ms.size());
    }
  }

  private final WebClient web;

  /** @param client a client that opens a new connection per request (keep-alive off) */
  WidgetLoad(HttpClient client) {
    this.web = PlainWebClient.over(Objects.requireNonNull(client));
  }

  /** {@code visits} cold visits of {@code base}, one after the other. */
  Future<Visits> cold(String kind, String base, int visits) {
    return repeat(kind, visits, () -> fetch(base + LOADER, null).compose(loader -> {
      if (!loader.body().contains("frame.html")) {
        return Future.failedFuture(new RequestFailure("the loader names no chat frame"));
      }
      return fetch(base + FRAME, null).compose(frame -> {
        Matcher ui = UI_NAME.matcher(frame.body());
        if (!ui.find()) {
          return Future.failedFuture(new RequestFailure("the chat frame names no chat UI script"));
        }
        return fetch(base + "/widget/" + ui.group(), null).map(script -> loader.plus(frame).plus(script));
      });
    }));
  }

  /** {@code visits} repeat visits of {@code base} with a cache that kept the loader's and frame's ETags. */
  Future<Visits> revalidated(String kind, String base, int visits) {
    return fetch(base + LOADER, null).compose(loader -> fetch(base + FRAME, null).compose(frame ->
        repeat(kind, visits, () -> fetch(base + LOADER, loader.etag())
            .compose(again -> fetch(base + FRAME, frame.etag()).map(again::plus)))));
  }

  /** One fetch or several, timed: body text, ETag, bytes, requests, nanoseconds. */
  private record Fetched(String body, String etag, long bytes, int requests, long nanos) {

    Fetched plus(Fetched next) {
      return new Fetched(body, etag, bytes + next.bytes, requests + next.requests, nanos + next.nanos);
    }
  }

  private Future<Fetched> fetch(String url, String ifNoneMatch) {
    HttpRequest<Buffer> request = web.getAbs(url);
    if (ifNoneMatch != null) {
      request.putHeader("If-None-Match", ifNoneMatch);
    }
    long started = System.nanoTime();
    return request.send().compose(resp -> {
      if (resp.statusCode() != 200 && resp.statusCode() != 304) {
        return Future.failedFuture(new RequestFailure("widget asset " + url + " status " + resp.statusCode()));
      }
      Buffer body = PlainWebClient.body(resp);
      return Future.succeededFuture(new Fetched(body.toString(), resp.getHeader("ETag"), body.length(), 1,
          System.nanoTime() - started));
    });
  }

  private interface Visit {
    Future<Fetched> once();
  }

  private static Future<Visits> repeat(String kind, int visits, Visit visit) {
    List<Double> ms = new ArrayList<>();
    long[] bytes = {0};
    int[] requests = {0};
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < visits; i++) {
      chain = chain.compose(v -> visit.once().map(fetched -> {
        ms.add(fetched.nanos() / 1e6);
        bytes[0] += fetched.bytes();
        requests[0] += fetched.requests();
        return null;
      }));
    }
    return chain.map(v -> new Visits(kind, List.copyOf(ms), bytes[0], requests[0]));
  }
}
