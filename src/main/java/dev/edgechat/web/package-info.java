/**
 * HTTP pieces every role shares: the API error type and its JSON responder (API.md §5), request
 * body reading, server-sent events (writing and incremental parsing), and the web client set-up of
 * request/response calls.
 */
package dev.edgechat.web;
