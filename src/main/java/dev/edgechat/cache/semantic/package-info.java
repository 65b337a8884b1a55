/**
 * The semantic level of the answer cache: a question not cached word for word may be answered by a
 * cached one that means the same. {@link dev.edgechat.cache.semantic.SemanticCache} embeds the
 * question (through {@code embedding.QuestionEmbedder}, off the event loop) and searches the site's
 * own index of cached questions ({@code SiteQuestionIndex}); {@link dev.edgechat.cache.semantic.SemanticMatcher}
 * accepts a neighbour only when its embedding is close and {@link dev.edgechat.cache.semantic.MeaningGuard}
 * finds the same anchors, the words a paraphrase must keep (numbers, names, days, negation,
 * opposites, the subject).
 *
 * <p>The guard's rules are in {@code MeaningGuard}; its word lists are data under
 * {@code src/main/resources/meaning-guard} ({@code Lexicon} reads them), a question's words come
 * from {@code QuestionTokenizer} and its anchors from {@code Anchors}; synonyms
 * ({@link dev.edgechat.cache.semantic.Synonyms}) come from WordNet 3.1, kept as a compact table
 * ({@code WordNetTable}), and from the list synonyms.txt; typos from {@code Typos};
 * chat shorthand ("u", "doesnt") is written out by {@code ChatShorthand} before a question is
 * embedded or its anchors are read.
 *
 * <p>Follow-ups are matched only among those cached after the very same earlier turns
 * ({@code FollowUpContexts}); questions reported as wrong hits no longer answer by meaning
 * ({@link dev.edgechat.cache.semantic.WrongHits}).
 *
 * <p>With a tolerated share of wrong hits, the matcher asks {@code LearnedDecision} instead of its
 * hand-set rule: a logistic regression over {@code MatchSignals}, whose weights and cross-validated
 * precision curve are data in {@code src/main/resources/semantic-matcher/decision.txt}, written by the
 * test-scope harness {@code SemanticEvaluation} (docs/answer-cache.md).
 */
package dev.edgechat.cache.semantic;
