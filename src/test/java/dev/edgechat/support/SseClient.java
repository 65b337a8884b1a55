package dev.edgechat.support;

import dev.edgechat.web.SseEvent;
import dev.edgechat.web.SseParser;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A test client of {@code POST /v1/chat} that reads the SSE stream, raw text included. */
public final class SseClient {

  private final HttpClient client;
  private final int port;

  public SseClient(Vertx vertx, int port) {
    // one connection per visitor it stands for, as browsers have: up to 100 at once
    this.client = vertx.createHttpClient(new PoolOptions().setHttp1MaxSize(100));
    this.port = port;
  }

  /** A whole answer: every event and the raw stream text, once the server ends the stream. */
  public record Answer(int status, List<SseEvent> events, String raw) {

    public List<SseEvent> named(String name) {
      return events.stream().filter(e -> e.event().equals(name)).toList();
    }

    public String text() {
      StringBuilder out = new StringBuilder();
      named("token").forEach(e -> out.append(e.json().getString("text")));
      return out.toString();
    }

    public JsonObject first(String name) {
      return named(name).get(0).json();
    }
  }

  public Future<Answer> chat(JsonObject body) {
    return chat(body, e -> false).map(Open::answer);
  }

  /**
   * The stream so far when {@code stopAt} accepts an event, and the means to drop the connection;
   * {@code client} is held so that the stream stays open while the caller holds this (Vert.x closes
   * an unreachable client, and its connections with it).
   */
  public record Open(Answer answer, HttpClientResponse response, HttpClient client) {
  }

  /**
   * Posts a chat and reads events until the stream ends or {@code stopAt} accepts one; then the
   * future completes with what was read and the still-open response.
   */
  public Future<Open> chat(JsonObject body, Predicate<SseEvent> stopAt) {
    return read(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/chat").putHeader("Accept", "text/event-stream").putHeader("Content-Type", "application/json"),
        body.toBuffer(), stopAt);
  }

  /** A chat under way: its first token's arrival, and the whole answer once the server ends the stream. */
  public record InFlight(Future<Void> firstToken, Future<Answer> answer) {
  }

  /** Posts a chat and follows its stream to the end, telling when the first token came. */
  public InFlight stream(JsonObject body) {
    Promise<Void> firstToken = Promise.promise();
    Future<Answer> answer = chat(body, event -> {
      if (event.event().equals("token")) {
        firstToken.tryComplete();
      }
      return false;
    }).map(Open::answer);
    answer.onComplete(ended -> firstToken.tryFail("the stream ended before its first token: "
        + (ended.succeeded() ? ended.result().raw() : ended.cause())));
    return new InFlight(firstToken.future(), answer);
  }

  /** Resumes the stream of {@code message} after event {@code lastEventId} and reads it to its end. */
  public Future<Answer> resume(String message, String lastEventId) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/chat/" + message + "/events").putHeader("Accept", "text/event-stream");
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    return read(options, Buffer.buffer(), e -> false).map(Open::answer);
  }

  private Future<Open> read(RequestOptions options, Buffer body, Predicate<SseEvent> stopAt) {
    Promise<Open> done = Promise.promise();
    // Vert.x closes an HttpClient once it is unreachable (CleanableHttpClient), failing what is under
    // way with "Pool closed" or "Connection was closed"; callers often keep only the future of `new
    // SseClient(..).chat(..)`, so the stream's own handlers keep the client reachable until it ends
    done.future().onComplete(ended -> Reference.reachabilityFence(client));
    // the handlers go on in the callback that sent the request, before any of the stream can
    // arrive: see SimulatedSystem#simStats
    client.request(options)
        .compose(req -> req.send(body).onSuccess(response -> {
          List<SseEvent> events = new ArrayList<>();
          StringBuilder raw = new StringBuilder();
          SseParser parser = new SseParser(event -> {
            events.add(event);
            if (stopAt.test(event)) {
              done.tryComplete(new Open(new Answer(response.statusCode(), List.copyOf(events), raw.toString()),
                  response, client));
            }
          });
          response.handler((Buffer b) -> {
            raw.append(b.toString());
            parser.handle(b);
          });
          response.exceptionHandler(done::tryFail);
          response.endHandler(v -> done.tryComplete(
              new Open(new Answer(response.statusCode(), List.copyOf(events), raw.toString()), response, client)));
        }))
        .onFailure(done::tryFail);
    return done.future();
  }
}
