package dev.edgechat.bench;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a benchmark run does, validated at construction: a bad value fails at once with a message
 * that names the setting.
 *
 * @param target base URL of the edge under test, e.g. {@code http://127.0.0.1:8080}
 * @param sim base URL of a {@code sim} role process for the direct baseline, or null for none
 * @param requests measured requests per phase
 * @param concurrency requests in flight at once (closed loop)
 * @param warmup requests per phase sent first and not recorded
 * @param site the site asked, as in {@code POST /v1/chat}
 * @param questions asked in turn; each is sent with a request number appended, so none repeats
 */
public record BenchOptions(URI target, URI sim, int requests, int concurrency, int warmup, String site,
    List<String> questions, boolean verbatim) {

  public static final int DEFAULT_REQUESTS = 400;
  public static final int DEFAULT_CONCURRENCY = 4;
  public static final int DEFAULT_WARMUP = 50;
  public static final String DEFAULT_SITE = "demo";
  public static final List<String> DEFAULT_QUESTIONS = List.of(
      "How do I reset my password?",
      "Do you ship to Canada?",
      "What does express delivery cost?",
      "How do I cancel my subscription?",
      "Which payment methods do you accept?",
      "Can I return a gift card?",
      "How long does a refund take?",
      "Where can I track my order?",
      "Can I change the address of an order I already placed?",
      "Do you offer student discounts?");

  public BenchOptions {
    checkBaseUrl("target", target);
    if (sim != null) {
      checkBaseUrl("sim", sim);
    }
    atLeast("requests", requests, 1);
    atLeast("concurrency", concurrency, 1);
    atLeast("warmup", warmup, 0);
    if (site == null || site.isBlank()) {
      throw new IllegalArgumentException("site must not be blank");
    }
    Objects.requireNonNull(questions, "questions");
    if (questions.isEmpty() || questions.stream().anyMatch(q -> q == null || q.isBlank())) {
      throw new IllegalArgumentException("questions must be a non-empty list of non-blank questions");
    }
    questions = List.copyOf(questions);
  }

  /** The defaults, against {@code target} and, when not null, the {@code sim} baseline. */
  public static BenchOptions defaults(URI target, URI sim) {
    return new BenchOptions(target, sim, DEFAULT_REQUESTS, DEFAULT_CONCURRENCY, DEFAULT_WARMUP, DEFAULT_SITE,
        DEFAULT_QUESTIONS, false);
  }

  /** The question of request {@code sequence} (from 0, warm-up included), cycling through the list. */
  String question(int sequence) {
    return questions.get(sequence % questions.size());
  }

  private static void checkBaseUrl(String setting, URI url) {
    Objects.requireNonNull(url, setting);
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
      throw new IllegalArgumentException(setting + " must be an http(s) base URL like http://127.0.0.1:8080, was '"
          + url + "'");
    }
  }

  private static void atLeast(String setting, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(setting + " must be at least " + min + ", was " + value);
    }
  }
}
