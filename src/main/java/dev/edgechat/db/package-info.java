/**
 * Postgres: the writer and reader pools, Flyway migrations, {@code LISTEN} on the primary
 * ({@link dev.edgechat.db.Notifications}), and the embedded server of role {@code all}. SQL of each feature lives with that feature ({@code SqlQueries} per package).
 */
package dev.edgechat.db;
