package dev.edgechat.llm;

import dev.edgechat.knowledge.Passage;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;
import java.util.List;
import java.util.Optional;

/**
 * An answer as it is generated: a read stream of text deltas, in order, that honours
 * {@link #pause()} (back-pressure). It ends normally only when the model finished the answer;
 * any failure reaches the exception handler as an {@link dev.edgechat.web.ApiError}.
 */
public interface TokenStream extends ReadStream<String> {

  /** Abandons the answer: the upstream call is cancelled and no handler is called again. */
  void cancel();

  /**
   * The passages the answer rests on, best first: what the {@code sources} event lists and what
   * decides how long the answer may be cached.
   */
  List<Passage> citations();

  /**
   * Whether the model stopped before it was done (token limit, content filter): such an answer is
   * shown, but is partial and must not be cached. Meaningful once the stream has ended.
   */
  default boolean truncated() {
    return false;
  }

  /** Why the model stopped ({@code stop}, {@code length}, …), when it said; meaningful once the stream has ended. */
  default Optional<String> finishReason() {
    return Optional.empty();
  }

  /** The tokens the answer cost, when the model reported them; meaningful once the stream has ended. */
  default Optional<Usage> usage() {
    return Optional.empty();
  }

  @Override
  TokenStream exceptionHandler(Handler<Throwable> handler);

  @Override
  TokenStream handler(Handler<String> handler);

  @Override
  TokenStream pause();

  @Override
  TokenStream resume();

  @Override
  TokenStream fetch(long amount);

  @Override
  TokenStream endHandler(Handler<Void> endHandler);
}
