/**
 * The contract between edges, origin and workers, in one place: what an edge asks origin to
 * answer ({@link dev.edgechat.protocol.AnswerRequest}) and the exchanges it has origin record
 * ({@link dev.edgechat.protocol.ExchangeRecord}), the names of an answer's events
 * ({@link dev.edgechat.protocol.Events}), job types and ids ({@link dev.edgechat.protocol.Jobs}),
 * the limits both sides hold ({@link dev.edgechat.protocol.Limits}), origin's answering seen
 * from a client ({@link dev.edgechat.protocol.OriginAnswers}), and the change feed every edge
 * follows ({@link dev.edgechat.protocol.ChangeFeed}, {@link dev.edgechat.protocol.SiteChange}).
 *
 * <p>It depends on nothing of edgechat but {@code web} (events, errors, request bodies); edge,
 * origin, gateway, the answer engine and the job handlers depend on it, never the other way.
 */
package dev.edgechat.protocol;
