package dev.edgechat.llm;

import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;

/**
 * An answer as it is generated: a read stream of text deltas, in order, that honours
 * {@link #pause()} (back-pressure). It ends normally only when the model finished the answer;
 * any failure reaches the exception handler as an {@link dev.edgechat.web.ApiError}.
 */
public interface TokenStream extends ReadStream<String> {

  /** Abandons the answer: the upstream call is cancelled and no handler is called again. */
  void cancel();

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
