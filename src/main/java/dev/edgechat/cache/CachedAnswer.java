package dev.edgechat.cache;

import dev.edgechat.protocol.Events;
import dev.edgechat.web.SseEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A complete answer as it was streamed: its text deltas (replayed as the same natural chunks, not
 * one blob), its sources and the freshness of what it cites, and what a purge by document needs:
 * the ids of the documents it cites and the last site change origin had seen when it made the
 * answer ({@link DocumentPurges}). Immutable.
 *
 * <p>What every hit of it needs is derived once, when the answer enters the cache: its whole
 * text, its {@code token} and {@code sources} events ({@link #replay()}), and those events in wire
 * form as they follow a fresh stream's {@code ready} ({@link #appendReplayFrames}), so that a hit
 * copies bytes instead of encoding JSON.
 */
public final class CachedAnswer {

  /** The id of the first replayed event in a fresh stream: the one after {@code ready}. */
  public static final long FIRST_REPLAY_ID = 2;

  private final List<String> tokens;
  private final JsonArray sources;
  private final String freshness;
  private final List<String> documents;
  private final long changeSeq;
  /** What making the answer cost, as the model reported it (0 when unknown): what a hit saves. */
  private final int inputTokens;
  private final int outputTokens;
  private final String text;
  private final List<SseEvent> replay;
  private final byte[] replayFrames;
  /** The digest of the last conversation turn this answer ended ({@link ConversationDigests}); hits repeat it. */
  private volatile TurnDigest lastTurn;

  private record TurnDigest(String before, String question, String digest) {
  }

  /** An answer that cites no document by id (a gateway completion, an answer cached before ids were sent). */
  public CachedAnswer(List<String> tokens, JsonArray sources, String freshness) {
    this(tokens, sources, freshness, List.of(), 0);
  }

  /**
   * @param documents the ids of the documents the answer cites
   * @param changeSeq the last site change origin had seen when it retrieved what the answer rests
   *     on (0 when unknown: then a purge of any document it cites retires it)
   */
  public CachedAnswer(List<String> tokens, JsonArray sources, String freshness, List<String> documents,
      long changeSeq) {
    this(tokens, sources, freshness, documents, changeSeq, 0, 0);
  }

  /**
   * @param inputTokens the model's input (prompt) tokens making the answer cost, 0 when unknown
   * @param outputTokens its output (completion) tokens, 0 when unknown
   */
  public CachedAnswer(List<String> tokens, JsonArray sources, String freshness, List<String> documents,
      long changeSeq, int inputTokens, int outputTokens) {
    this.inputTokens = Math.max(0, inputTokens);
    this.outputTokens = Math.max(0, outputTokens);
    this.tokens = List.copyOf(tokens);
    this.sources = sources.copy();
    this.freshness = Objects.requireNonNull(freshness);
    this.documents = List.copyOf(documents);
    this.changeSeq = changeSeq;
    this.text = String.join("", this.tokens);
    List<SseEvent> events = new ArrayList<>(this.tokens.size() + 1);
    this.tokens.forEach(t -> events.add(SseEvent.of(Events.TOKEN, new JsonObject().put("text", t))));
    events.add(SseEvent.of(Events.SOURCES, new JsonObject().put("items", this.sources)));
    this.replay = List.copyOf(events);
    Buffer frames = Buffer.buffer(64 * events.size());
    long id = FIRST_REPLAY_ID;
    for (SseEvent event : events) {
      event.appendTo(frames, id++);
    }
    this.replayFrames = frames.getBytes();
  }

  /** The text deltas, in order. */
  public List<String> tokens() {
    return tokens;
  }

  /** The sources the answer cites, as the {@code sources} event lists them. Do not modify. */
  public JsonArray sources() {
    return sources;
  }

  /** {@code static} or {@code dynamic}: the freshness of what the answer cites, which sets its lifetime. */
  public String freshness() {
    return freshness;
  }

  /** The ids of the documents the answer cites; empty when it cites none, or none by id. */
  public List<String> documents() {
    return documents;
  }

  /** The last site change origin had seen when it made the answer; 0 when unknown. */
  public long changeSeq() {
    return changeSeq;
  }

  /** The model's input tokens making this answer cost; 0 when unknown. A hit saves them. */
  public int inputTokens() {
    return inputTokens;
  }

  /** The model's output tokens making this answer cost; 0 when unknown. A hit saves them. */
  public int outputTokens() {
    return outputTokens;
  }

  /** The whole text. */
  public String text() {
    return text;
  }

  /** The answer's {@code token} events and its {@code sources} event, without ids. */
  public List<SseEvent> replay() {
    return replay;
  }

  /** How many events {@link #replay()} holds. */
  public int replayEvents() {
    return replay.size();
  }

  /** How many bytes {@link #appendReplayFrames} appends. */
  public int replayFramesLength() {
    return replayFrames.length;
  }

  /**
   * Appends the {@link #replay()} events in wire form, numbered from {@link #FIRST_REPLAY_ID} on,
   * as they follow {@code ready} in a fresh stream.
   */
  public void appendReplayFrames(Buffer out) {
    out.appendBytes(replayFrames);
  }

  /**
   * The bytes of {@link #appendReplayFrames} without copying them: a new view of this answer's
   * one array, to be sent as it is (a hit's response), never written to.
   */
  public ByteBuf replayFramesView() {
    return Unpooled.wrappedBuffer(replayFrames);
  }

  /**
   * The digest of a conversation turn that this answer ended, computed by {@code digest} unless
   * the last turn asked was the same ({@code before} and normalized {@code question}): every hit of
   * an opening question ends the same turn.
   */
  String turnDigest(String before, String question, Supplier<String> digest) {
    TurnDigest last = lastTurn;
    if (last != null && last.before().equals(before) && last.question().equals(question)) {
      return last.digest();
    }
    String computed = digest.get();
    lastTurn = new TurnDigest(before, question, computed);
    return computed;
  }

  /** Roughly what the entry costs in memory, for the byte-bounded in-process cache. */
  int weightBytes() {
    int bytes = 64 + sources.encode().length() * 4 + replayFrames.length + documents.size() * 64;
    for (String token : tokens) {
      bytes += 120 + token.length() * 4; // the text and its encoded event
    }
    return bytes;
  }

  JsonObject toJson() {
    JsonObject json = new JsonObject().put("tokens", new JsonArray(tokens)).put("sources", sources)
        .put("freshness", freshness);
    if (!documents.isEmpty()) {
      json.put("documents", new JsonArray(documents)).put("changeSeq", changeSeq);
    }
    if (inputTokens + outputTokens > 0) {
      json.put("inputTokens", inputTokens).put("outputTokens", outputTokens);
    }
    return json;
  }

  /**
   * Reads what {@link #toJson()} wrote, also before it held documents (then it cites none by id) or
   * its tokens (then a hit on it saves tokens unknown, counted as 0).
   */
  static CachedAnswer fromJson(JsonObject json) {
    return new CachedAnswer(json.getJsonArray("tokens").stream().map(String::valueOf).toList(),
        json.getJsonArray("sources", new JsonArray()), json.getString("freshness", "dynamic"),
        json.getJsonArray("documents", new JsonArray()).stream().map(String::valueOf).toList(),
        json.getLong("changeSeq", 0L), json.getInteger("inputTokens", 0), json.getInteger("outputTokens", 0));
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof CachedAnswer that && tokens.equals(that.tokens) && sources.equals(that.sources)
        && freshness.equals(that.freshness) && documents.equals(that.documents) && changeSeq == that.changeSeq;
  }

  @Override
  public int hashCode() {
    return Objects.hash(tokens, sources, freshness, documents, changeSeq);
  }

  @Override
  public String toString() {
    return "CachedAnswer[tokens=" + tokens.size() + ", sources=" + sources.size() + ", freshness=" + freshness + "]";
  }
}
