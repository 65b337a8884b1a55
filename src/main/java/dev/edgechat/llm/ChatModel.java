package dev.edgechat.llm;

import io.vertx.core.Future;

/** A language model that answers a prompt as a stream of tokens. */
public interface ChatModel {

  /**
   * Starts answering {@code prompt}. Succeeds with the token stream once the model has accepted
   * the request; fails with an {@link dev.edgechat.web.ApiError} ({@code upstream_unavailable},
   * {@code overloaded} or {@code timeout}) when it could not start.
   */
  Future<TokenStream> stream(ChatPrompt prompt);

  /** The model's name, for logs and metrics. */
  String name();
}
