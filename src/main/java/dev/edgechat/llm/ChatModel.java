package dev.edgechat.llm;

import dev.edgechat.web.Cancellation;
import io.vertx.core.Future;

/** A language model that answers a prompt as a stream of tokens. */
public interface ChatModel {

  /**
   * Starts answering {@code prompt}. Succeeds with the token stream once the model has accepted
   * the request; fails with an {@link dev.edgechat.web.ApiError} ({@code upstream_unavailable},
   * {@code overloaded} or {@code timeout}) when it could not start. Once {@code cancellation} fires,
   * the upstream call is abandoned, also before the model has answered at all.
   */
  Future<TokenStream> stream(ChatPrompt prompt, Cancellation cancellation);

  /** The model's name, for logs and metrics. */
  String name();
}
