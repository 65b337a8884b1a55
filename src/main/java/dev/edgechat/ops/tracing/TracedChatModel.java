package dev.edgechat.ops.tracing;

import dev.edgechat.knowledge.Passage;
import dev.edgechat.llm.ChatModel;
import dev.edgechat.llm.ChatPrompt;
import dev.edgechat.llm.TokenStream;
import dev.edgechat.llm.Usage;
import dev.edgechat.web.Cancellation;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@link ChatModel} whose every answer is a span {@code chat <model>} with the attributes of the
 * OpenTelemetry GenAI conventions: the operation, provider and model asked, its limits, the time to
 * the first token (an event, and seconds as an attribute), and once the answer ended the tokens in and
 * out and why the model stopped ({@link ModelCallSpan}, which the gateway's upstream calls use too).
 * The model is asked with that span in force, so its HTTP call to
 * the upstream is the span's child and sends the span's {@code traceparent}. While tracing is off it
 * adds nothing but a call.
 */
public final class TracedChatModel implements ChatModel {

  private final ChatModel model;
  private final String provider;
  private final URI server;

  /**
   * @param provider the {@code gen_ai.provider.name}: {@code openai} for any OpenAI-compatible API
   * @param server the upstream's base URL, or null when the model runs in process
   */
  public TracedChatModel(ChatModel model, String provider, URI server) {
    this.model = Objects.requireNonNull(model);
    this.provider = Objects.requireNonNull(provider);
    this.server = server;
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public Future<TokenStream> stream(ChatPrompt prompt, Cancellation cancellation) {
    ModelCallSpan call = ModelCallSpan.start("chat", provider, model.name(), server);
    if (!call.recording()) {
      return model.stream(prompt, cancellation);
    }
    call.limits(prompt.maxTokens(), prompt.temperature());
    return call.ask(() -> model.stream(prompt, cancellation))
        .<TokenStream>map(tokens -> {
          call.firstToken();
          return new Traced(tokens, call);
        });
  }

  /** The answer's tokens, passed through; the span ends with the stream (its end, failure or cancel). */
  private static final class Traced implements TokenStream {

    private final TokenStream tokens;
    private final ModelCallSpan call;

    Traced(TokenStream tokens, ModelCallSpan call) {
      this.tokens = tokens;
      this.call = call;
    }

    private void end(Throwable failure) {
      call.ended(failure, tokens.usage(), tokens.finishReason().or(() -> failure == null
          ? Optional.of(tokens.truncated() ? "length" : "stop") : Optional.empty()));
    }

  @Override
    public void cancel() {
      call.errorType("cancelled");
      end(null);
      tokens.cancel();
    }

    @Override
    public List<Passage> citations() {
      return tokens.citations();
    }

    @Override
    public boolean truncated() {
      return tokens.truncated();
    }

    @Override
    public Optional<String> finishReason() {
      return tokens.finishReason();
    }

    @Override
    public Optional<Usage> usage() {
      return tokens.usage();
    }

    @Override
    public TokenStream exceptionHandler(Handler<Throwable> handler) {
      tokens.exceptionHandler(handler == null ? null : e -> {
        end(e);
        handler.handle(e);
      });
      return this;
    }

    @Override
    public TokenStream handler(Handler<String> handler) {
      tokens.handler(handler);
      return this;
    }

    @Override
    public TokenStream pause() {
      tokens.pause();
      return this;
    }

    @Override
    public TokenStream resume() {
      tokens.resume();
      return this;
    }

    @Override
    public TokenStream fetch(long amount) {
      tokens.fetch(amount);
      return this;
    }

    @Override
    public TokenStream endHandler(Handler<Void> endHandler) {
      tokens.endHandler(endHandler == null ? null : v -> {
        end(null);
        endHandler.handle(v);
      });
      return this;
    }
  }
}
