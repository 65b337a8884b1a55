/**
 * Postgres: the writer and reader pools, Flyway migrations, {@code LISTEN} on the primary
 * ({@link dev.edgechat.db.Notifications}), and the embedded server of role {@code all}; a URL's
 * {@code sslmode} and {@code sslrootcert} reach both the reactive pools and JDBC. SQL of each feature
 * lives with that feature ({@code SqlQueries} per package).
 */
package dev.edgechat.db;
