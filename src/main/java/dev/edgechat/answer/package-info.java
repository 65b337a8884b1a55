/**
 * The answer engine: how the edge answers a question through its answer cache, once for every
 * API that does. {@link dev.edgechat.answer.AnswerEngine} runs the whole sequence (a whole hit from
 * this process's memory, joining an identical question in flight, the cache's exact and semantic
 * levels, the upstream, storing the answer, landing the flight) and states its ordering rule;
 * {@link dev.edgechat.answer.AnswerFlight} is one answer as its readers share it.
 *
 * <p>An API plugs in with a {@link dev.edgechat.answer.Question} (its key and how the cache may
 * take part), an {@link dev.edgechat.answer.AnswerSource} (its upstream) and an
 * {@link dev.edgechat.answer.AnswerFormat} (its replay events and "may store" rule): the visitor
 * chat ({@code edge.ChatApi}) and the OpenAI-compatible gateway ({@code gateway.Completions}) are
 * those adapters. This package depends on the cache, configuration, {@code protocol} and
 * {@code web}, never on {@code edge} or {@code gateway}.
 */
package dev.edgechat.answer;
