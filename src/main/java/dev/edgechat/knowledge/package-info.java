/**
 * Sites and their knowledge bases: documents, chunks, retrieval of passages for a question, and
 * the seeded {@code demo} site.
 */
package dev.edgechat.knowledge;
