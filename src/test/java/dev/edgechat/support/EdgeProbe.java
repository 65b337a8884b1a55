package dev.edgechat.support;

import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blocking client of one edge for tests on the test's thread: asks a question over SSE and says
 * how it was answered, and reads the edge's metrics. Keeps one connection, as a visitor's browser
 * would, so a hit costs no connection set-up.
 */
public final class EdgeProbe {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();
  private final URI edge;

  public EdgeProbe(URI edge) {
    this.edge = edge;
  }

  /** An answer as the visitor saw it: {@code done.cache}, the ids of its sources, its text. */
  public record Reply(String cache, List<String> documents, String text, List<SseEvent> events) {
  }

  /** Asks {@code question} of {@code site} and reads the whole answer; fails unless it ends with {@code done}. */
  public Reply ask(String site, String question) {
    return ask(site, question, null);
  }

  /** {@link #ask(String, String)} in {@code conversation} (a follow-up), or opening one when null. */
  public Reply ask(String site, String question, String conversation) {
    JsonObject asked = new JsonObject().put("site", site).put("message", question);
    if (conversation != null) {
      asked.put("conversation", conversation);
    }
    HttpRequest request = HttpRequest.newBuilder(edge.resolve("/v1/chat")).timeout(Duration.ofSeconds(60))
        .header("Accept", "text/event-stream").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(asked.encode()))
        .build();
    String body = send(request).body();
    List<SseEvent> events = new ArrayList<>();
    new SseParser(events::add).handle(Buffer.buffer(body));
    SseEvent last = events.isEmpty() ? null : events.get(events.size() - 1);
    if (last == null || !last.event().equals("done")) {
      throw new AssertionError("the answer to '" + question + "' did not end with done: " + body);
    }
    List<String> documents = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (SseEvent event : events) {
      if (event.event().equals("sources")) {
        for (Object item : event.json().getJsonArray("items", new JsonArray())) {
          String id = ((JsonObject) item).getString("id");
          if (id != null) {
            documents.add(id);
          }
        }
      } else if (event.event().equals("token")) {
        text.append(event.json().getString("text"));
      }
    }
    return new Reply(last.json().getString("cache"), documents, text.toString(), events);
  }

  /**
   * Asks {@code question} again and again, {@code pause} apart, until the edge no longer answers it
   * from its cache (neither {@code hit} nor {@code semantic}); returns the ms from {@code sentNanos}
   * to sending the question that missed. Fails after {@code timeout}.
   */
  public long untilMiss(String site, String question, long sentNanos, Duration pause, Duration timeout) {
    while (true) {
      long asked = System.nanoTime();
      String cache = ask(site, question).cache();
      if (!cache.equals("hit") && !cache.equals("semantic")) {
        return TimeUnit.NANOSECONDS.toMillis(asked - sentNanos);
      }
      if (asked - sentNanos > timeout.toNanos()) {
        throw new AssertionError("still a hit " + timeout.toSeconds() + " s after the purge");
      }
      pause(pause);
    }
  }

  /** Reads the metric {@code name} (every series) until {@code done} holds; fails after {@code timeout}. */
  public void awaitMetric(String name, DoublePredicate done, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    double last = metric(name, "");
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(name + " is still " + last + " after " + timeout);
      }
      pause(Duration.ofMillis(20));
      last = metric(name, "");
    }
  }

  /** Waits between two polls of a separate process (a test thread, never an event loop). */
  private static void pause(Duration pause) {
    if (pause.isZero()) {
      return;
    }
    try {
      Thread.sleep(pause.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The sum of every series of {@code name} in the edge's {@code /metrics} whose labels contain
   * {@code labels} (e.g. {@code scope="site"}, or empty for all); fails when there is none.
   */
  public double metric(String name, String labels) {
    String text = send(HttpRequest.newBuilder(edge.resolve("/metrics")).timeout(Duration.ofSeconds(10)).build()).body();
    Matcher line = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? (\\S+)$").matcher(text);
    double sum = 0;
    boolean found = false;
    while (line.find()) {
      if (line.group(1) == null ? labels.isEmpty() : line.group(1).contains(labels)) {
        sum += Double.parseDouble(line.group(2));
        found = true;
      }
    }
    if (!found) {
      throw new AssertionError("no metric " + name + " {" + labels + "} at " + edge);
    }
    return sum;
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
