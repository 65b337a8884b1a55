/**
 * HTTP pieces every role shares: the API error type and its JSON responder (API.md §5), request
 * body reading, and server-sent events (writing and incremental parsing).
 */
package dev.edgechat.web;
