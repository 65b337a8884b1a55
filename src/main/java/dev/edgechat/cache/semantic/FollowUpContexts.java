package dev.edgechat.cache.semantic;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.edgechat.cache.AnswerKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The cached follow-ups of each conversation context: per site, knowledge-base version and digest
 * of the earlier turns ({@link AnswerKey#history()}), the follow-up questions answered after
 * exactly those turns, with their vectors. A follow-up is matched by meaning only against the
 * follow-ups of its own context: the earlier turns must be the same word for word (the same
 * digest), and only the new question may be a paraphrase.
 *
 * <p>Design note: a context holds few questions (those asked after one popular opening, say), so a
 * context is a short list searched by brute force (a few dozen dot products of 384 numbers), not a
 * graph index of its own; contexts are many and small, bounded in number (the least recently used
 * give way, Caffeine) and each to {@link #MAX_PER_CONTEXT} questions (the oldest give way).
 *
 * <p>Why exact context only: the context's digest covers the earlier questions and answers, so an
 * earlier turn carrying one visitor's data (an order number, an e-mail address) makes a context of
 * that visitor alone, and a long history a context that hardly recurs: neither lends an answer to
 * anyone else. Matching the earlier turns by meaning too would lend an answer given after "my order
 * 1234" to "my order 5678"; that is not done. Safe to use from any thread.
 */
final class FollowUpContexts {

  /** Most follow-ups kept per context. */
  static final int MAX_PER_CONTEXT = 64;

  /** A context: the key's site, version and history, without its question. */
  private record Context(String site, long kbVersion, String history) {

    static Context of(AnswerKey key) {
      return new Context(key.site(), key.kbVersion(), key.history());
    }
  }

  private final Cache<Context, List<SiteQuestionIndex.Entry>> contexts;

  /** @param maxContexts contexts kept, all sites (the least recently used give way) */
  FollowUpContexts(long maxContexts) {
    this.contexts = Caffeine.newBuilder().maximumSize(Math.max(1, maxContexts)).executor(Runnable::run).build();
  }

  /** Whether the context of {@code key} holds a live follow-up: only then is a lookup worth an embedding. */
  boolean has(AnswerKey key, long nowMillis) {
    List<SiteQuestionIndex.Entry> entries = contexts.getIfPresent(Context.of(key));
    if (entries == null) {
      return false;
    }
    synchronized (entries) {
      return entries.stream().anyMatch(e -> e.expiresAtMillis() > nowMillis);
    }
  }

  /** Adds (or renews) the follow-up of {@code key}; the oldest of its context gives way beyond the bound. */
  void add(AnswerKey key, String question, float[] vector, long expiresAtMillis) {
    List<SiteQuestionIndex.Entry> entries = contexts.get(Context.of(key), c -> new ArrayList<>());
    synchronized (entries) {
      entries.removeIf(e -> e.key().equals(key));
      entries.add(new SiteQuestionIndex.Entry(key, question, vector.clone(), expiresAtMillis));
      while (entries.size() > MAX_PER_CONTEXT) {
        entries.remove(0);
      }
    }
  }

  /** Up to {@code k} live follow-ups of the context of {@code key}, nearest to {@code vector} first. */
  List<SiteQuestionIndex.Entry> nearest(AnswerKey key, float[] vector, int k, long nowMillis) {
    List<SiteQuestionIndex.Entry> entries = contexts.getIfPresent(Context.of(key));
    if (entries == null) {
      return List.of();
    }
    List<SiteQuestionIndex.Entry> live;
    synchronized (entries) {
      entries.removeIf(e -> e.expiresAtMillis() <= nowMillis);
      live = new ArrayList<>(entries);
    }
    live.sort(Comparator.comparingDouble((SiteQuestionIndex.Entry e) -> SemanticMatcher.cosine(vector, e.vector()))
        .reversed());
    return live.size() > k ? live.subList(0, k) : live;
  }

  /** Removes the follow-up of {@code key}, if there is one. */
  void remove(AnswerKey key) {
    List<SiteQuestionIndex.Entry> entries = contexts.getIfPresent(Context.of(key));
    if (entries != null) {
      synchronized (entries) {
        entries.removeIf(e -> e.key().equals(key));
      }
    }
  }

  /** Removes every follow-up of {@code site}'s question (normalized), in every context. */
  void removeQuestion(String site, String question) {
    contexts.asMap().forEach((context, entries) -> {
      if (context.site().equals(site)) {
        synchronized (entries) {
          entries.removeIf(e -> e.key().question().equals(question));
        }
      }
    });
  }

  /** Drops every context of {@code site}. */
  void forgetSite(String site) {
    contexts.asMap().keySet().removeIf(context -> context.site().equals(site));
  }

  /** Follow-ups held, all contexts. */
  int size() {
    int size = 0;
    for (List<SiteQuestionIndex.Entry> entries : contexts.asMap().values()) {
      synchronized (entries) {
        size += entries.size();
      }
    }
    return size;
  }
}
