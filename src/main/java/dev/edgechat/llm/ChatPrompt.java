package dev.edgechat.llm;

import dev.edgechat.knowledge.Passage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What a model is asked: the site's instructions, the passages retrieved for the question, the
 * earlier turns (oldest first) and the question itself.
 */
public record ChatPrompt(String systemPrompt, List<Passage> passages, List<Turn> history, String question,
    int maxTokens, double temperature) {

  static final String GROUNDING = """
      Answer the visitor's question using only the numbered passages from this site's knowledge base below. \
      If they do not contain the answer, say so briefly and do not guess. Be concise; use plain Markdown.""";

  public ChatPrompt {
    passages = List.copyOf(passages);
    history = List.copyOf(history);
  }

  /** The prompt as OpenAI chat {@code messages}. */
  public JsonArray messages() {
    StringBuilder system = new StringBuilder();
    if (systemPrompt != null && !systemPrompt.isBlank()) {
      system.append(systemPrompt.strip()).append("\n\n");
    }
    system.append(GROUNDING);
    for (int i = 0; i < passages.size(); i++) {
      Passage p = passages.get(i);
      system.append("\n\n[").append(i + 1).append("] ").append(p.title());
      if (p.url() != null) {
        system.append(" (").append(p.url()).append(')');
      }
      system.append('\n').append(p.text());
    }
    JsonArray messages = new JsonArray().add(message("system", system.toString()));
    history.forEach(turn -> messages.add(message(turn.role(), turn.text())));
    return messages.add(message("user", question));
  }

  private static JsonObject message(String role, String content) {
    return new JsonObject().put("role", role).put("content", content);
  }
}
