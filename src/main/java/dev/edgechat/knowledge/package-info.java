/**
 * Sites and their knowledge bases: documents, chunks, retrieval of passages for a question, and
 * the seeded {@code demo} site; the site change log, written with every change of a site's version
 * and every purge by document ({@link dev.edgechat.knowledge.SiteVersions}) and read by origin
 * ({@link dev.edgechat.knowledge.SiteChangeLog}).
 */
package dev.edgechat.knowledge;
