package dev.edgechat.knowledge;

/**
 * A piece of a site's knowledge base retrieved for a question.
 *
 * @param freshness {@code static} or {@code dynamic}: decides how long an answer citing it may be cached
 * @param score how well it matched the question; higher is better, comparable only within one search
 */
public record Passage(String documentId, String title, String url, String freshness, String text, double score) {
}
