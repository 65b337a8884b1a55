package dev.edgechat.sim;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Streams one chat answer as server-sent events, paced like a real model.
 *
 * <p>Design: token {@code i} (from 0) is due {@code firstTokenMs + i * 1000 / tokensPerSecond}
 * milliseconds after the request arrived. Nothing is sent before the first token is due; then the
 * response head, the role chunk and the first token go out together, as an upstream that has
 * started to answer would send them. Each tick of a one-shot Vert.x timer writes, in one buffer,
 * every token due by now and arms the next timer for the next token's due time. Timers cannot
 * fire more often than once a millisecond, so at high rates (5000 tokens/s) a tick sends several
 * tokens, and the schedule, counted from the start rather than from the previous tick, never
 * drifts. A tick writes at most {@value #MAX_TOKENS_PER_TICK} tokens, so catching up never holds
 * the event loop for long; the rest goes out a millisecond later. When the response's write
 * queue is full, the stream waits for {@code drainHandler} instead of a timer and then catches up
 * with what became due meanwhile.
 *
 * <p>Faults: {@link Fault#STALL} stops after the first token and never ends the response;
 * {@link Fault#CUT} resets the response once half the tokens (rounded down) are written, with no
 * finish chunk or {@code [DONE]}. A client that leaves before the stream ended (a stalled one
 * included) cancels the pending timer and counts in {@link SimStats#cancelled()}.
 *
 * <p>Everything runs on the request's event loop, so the state needs no locks.
 */
final class CompletionStream {

  /** Bounds the work of one tick: 256 frames are about 50 KB, under Netty's write high-water mark. */
  static final int MAX_TOKENS_PER_TICK = 256;

  private final Vertx vertx;
  private final HttpServerResponse response;
  private final SimStats stats;
  private final ChatAnswer answer;
  private final Fault fault;
  private final long startNanos;
  private final double firstTokenMs;
  private final double msPerToken;
  /** Tokens to write before the fault strikes or the stream ends. */
  private final int lastToken;

  private int sent;
  private long timerId = -1;
  /** The stream ended, was cut, or the client left: nothing more to do. */
  private boolean finished;

  CompletionStream(Vertx vertx, HttpServerResponse response, SimStats stats, ChatAnswer answer, Fault fault,
      long startNanos, int firstTokenMs, double tokensPerSecond) {
    this.vertx = Objects.requireNonNull(vertx);
    this.response = Objects.requireNonNull(response);
    this.stats = Objects.requireNonNull(stats);
    this.answer = Objects.requireNonNull(answer);
    this.fault = Objects.requireNonNull(fault);
    this.startNanos = startNanos;
    this.firstTokenMs = firstTokenMs;
    this.msPerToken = 1000.0 / tokensPerSecond;
    int tokens = answer.tokens().size();
    this.lastToken = switch (fault) {
      case STALL -> Math.min(1, tokens);
      case CUT -> tokens / 2;
      default -> tokens;
    };
  }

  void start() {
    response.closeHandler(v -> clientLeft());
    response.exceptionHandler(e -> clientLeft());
    armTimer();
  }

  private void tick() {
    timerId = -1;
    if (finished) {
      return;
    }
    Buffer out = Buffer.buffer();
    if (!response.headWritten()) {
      response.setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
      answer.appendRole(out);
    }
    int due = Math.min(Math.min(lastToken, dueTokens()), sent + MAX_TOKENS_PER_TICK);
    int fresh = due - sent;
    for (; sent < due; sent++) {
      answer.appendToken(out, sent);
    }
    stats.tokensSent(fresh);
    if (sent == answer.tokens().size()) {
      finished = true;
      answer.appendEnd(out);
      response.end(out);
    } else if (sent == lastToken && fault == Fault.CUT) {
      finished = true;
      // Reset once the tokens are on the wire, so the client sees half an answer, then the cut.
      response.write(out).onComplete(written -> response.reset());
    } else if (sent == lastToken && fault == Fault.STALL) {
      response.write(out);
    } else {
      if (out.length() > 0) {
        response.write(out);
      }
      if (response.writeQueueFull()) {
        response.drainHandler(v -> {
          response.drainHandler(null);
          tick();
        });
      } else {
        armTimer();
      }
    }
  }

  /** How many tokens are due by now. */
  private int dueTokens() {
    double elapsedMs = (System.nanoTime() - startNanos) / 1e6;
    if (elapsedMs < firstTokenMs) {
      return 0;
    }
    double due = 1 + Math.floor((elapsedMs - firstTokenMs) / msPerToken + 1e-9);
    return due >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) due;
  }

  /** Arms the timer for the next token's due time. */
  private void armTimer() {
    double dueAtMs = firstTokenMs + sent * msPerToken;
    double elapsedMs = (System.nanoTime() - startNanos) / 1e6;
    long delayMs = Math.max(1, (long) Math.ceil(dueAtMs - elapsedMs));
    timerId = vertx.setTimer(delayMs, id -> tick());
  }

  private void clientLeft() {
    if (finished) {
      return;
    }
    finished = true;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
    stats.streamCancelled();
  }

  /** For logs: how far the stream got. */
  @Override
  public String toString() {
    return "CompletionStream[id=" + answer.id() + ", fault=" + fault + ", sent=" + sent + "/" + answer.tokens().size()
        + ", ageMs=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos) + "]";
  }
}
