/**
 * Logs: one logback pipeline for edgechat and every library (Vert.x and Netty through SLF4J,
 * java.util.logging through jul-to-slf4j), as plain text or JSON lines ({@code EDGECHAT_LOG_FORMAT});
 * each request's lines carry its role, region, trace and span ids and, once known, its site,
 * conversation and message ({@link dev.edgechat.ops.logging.LogContext}), kept on the request's
 * Vert.x context rather than in thread-local MDC.
 */
package dev.edgechat.ops.logging;
