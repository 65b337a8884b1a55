package dev.edgechat.db;

import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/** A {@code postgres://user:pass@host:port/db} URL, read for the reactive client and for JDBC (Flyway). */
record PostgresUrl(String host, int port, String database, String user, String password) {

  static PostgresUrl parse(URI uri) {
    String userInfo = uri.getRawUserInfo() == null ? "postgres" : uri.getRawUserInfo();
    String[] credentials = userInfo.split(":", 2);
    String path = uri.getPath() == null || uri.getPath().length() <= 1 ? "/postgres" : uri.getPath();
    return new PostgresUrl(
        uri.getHost(),
        uri.getPort() > 0 ? uri.getPort() : 5432,
        path.substring(1),
        decode(credentials[0]),
        credentials.length > 1 ? decode(credentials[1]) : "");
  }

  String jdbcUrl() {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database;
  }

  PgConnectOptions connectOptions() {
    return new PgConnectOptions()
        .setHost(host)
        .setPort(port)
        .setDatabase(database)
        .setUser(user)
        .setPassword(password)
        .setCachePreparedStatements(true)
        .setPipeliningLimit(256);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
