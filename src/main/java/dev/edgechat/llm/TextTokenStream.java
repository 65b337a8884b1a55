package dev.edgechat.llm;

import dev.edgechat.knowledge.Passage;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.List;

/** A {@link TokenStream} over tokens known in advance, delivered on the event loop with back-pressure. */
final class TextTokenStream implements TokenStream {

  private final Context context;
  private final List<String> tokens;
  private final List<Passage> citations;
  private int next;
  private long demand = Long.MAX_VALUE;
  private boolean cancelled;
  private boolean ended;
  private Handler<String> handler;
  private Handler<Void> endHandler;

  TextTokenStream(Context context, List<String> tokens, List<Passage> citations) {
    this.context = context;
    this.tokens = List.copyOf(tokens);
    this.citations = List.copyOf(citations);
  }

  @Override
  public List<Passage> citations() {
    return citations;
  }

  private void drain() {
    while (!cancelled && demand > 0 && next < tokens.size() && handler != null) {
      if (demand != Long.MAX_VALUE) {
        demand--;
      }
      handler.handle(tokens.get(next++));
    }
    if (!cancelled && !ended && next == tokens.size() && handler != null) {
      ended = true;
      if (endHandler != null) {
        endHandler.handle(null);
      }
    }
  }

  @Override
  public TokenStream handler(Handler<String> handler) {
    this.handler = handler;
    context.runOnContext(v -> drain());
    return this;
  }

  @Override
  public TokenStream pause() {
    demand = 0;
    return this;
  }

  @Override
  public TokenStream resume() {
    return fetch(Long.MAX_VALUE);
  }

  @Override
  public TokenStream fetch(long amount) {
    demand = amount == Long.MAX_VALUE || demand + amount < 0 ? Long.MAX_VALUE : demand + amount;
    context.runOnContext(v -> drain());
    return this;
  }

  @Override
  public TokenStream endHandler(Handler<Void> endHandler) {
    this.endHandler = endHandler;
    return this;
  }

  @Override
  public TokenStream exceptionHandler(Handler<Throwable> handler) {
    return this;
  }

  @Override
  public void cancel() {
    cancelled = true;
  }
}
