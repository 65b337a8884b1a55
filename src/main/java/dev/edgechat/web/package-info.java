/**
 * HTTP pieces every role shares: the API error type and its JSON responder (API.md §5), request
 * body reading and text checks ({@link dev.edgechat.web.VisibleText}), server-sent events (writing
 * and incremental parsing), the web client set-up of request/response calls, and the protocol
 * guards below the routes: JSON errors for requests Netty cannot decode, the request-head deadline
 * and a prompt close for foreign protocols ({@link dev.edgechat.web.ProtocolErrors},
 * {@link dev.edgechat.web.RequestHeadDeadline}), and a CORS handler safe from malformed
 * {@code Origin} headers ({@link dev.edgechat.web.CorsGuard}); and the opaque ids every role hands
 * out ({@link dev.edgechat.web.Ids}), with {@link dev.edgechat.web.IdSlots} for stores that keep
 * many of them as bits.
 */
package dev.edgechat.web;
