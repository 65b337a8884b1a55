/**
 * Postgres: the writer pool on the primary, a read pool per replica and the
 * {@link dev.edgechat.db.ReplicaRouter} that sends each read where what it must see
 * ({@link dev.edgechat.db.Freshness}) is, WAL positions ({@link dev.edgechat.db.Lsn}),
 * {@code LISTEN} on the primary ({@link dev.edgechat.db.Notifications}), Flyway migrations, and the
 * embedded server of role {@code all}; a URL's {@code sslmode} and {@code sslrootcert} reach both the
 * reactive pools and JDBC. SQL of each feature lives with that feature ({@code SqlQueries} per package).
 */
package dev.edgechat.db;
