package dev.edgechat.origin;

import dev.edgechat.web.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes of the admin API that a client may send again safely: with an {@code Idempotency-Key}
 * header, the answer to the first request is kept with the key, in Postgres, written in the same
 * transaction as what the request stored (issue 17, defect 6).
 *
 * <p>How: the transaction first takes the key ({@code INSERT … ON CONFLICT}), then does the write,
 * then stores the answer on the key's row, and commits all of it or nothing. A second request with
 * the key waits at the insert while the first one's transaction is open; once it has committed the
 * second finds the key taken and answers as the first did, with the same body and {@code
 * Idempotency-Replayed: true}, storing nothing; with another body it is refused {@code 422
 * idempotency_key_reused}. A first request that failed committed nothing, key included, so a retry
 * runs afresh. Keys live in Postgres so they hold across restarts and across origin instances; they
 * are kept {@code knowledge.idempotencyKeyTtlMs}, then pruned (an expired key not pruned yet is
 * taken as new).
 *
 * <p>Written by hand: Vert.x has no idempotency handler, and the key must share the write's
 * transaction, which no HTTP-level library can do.
 */
public final class IdempotentWrites implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(IdempotentWrites.class);
  /** The request header (draft-ietf-httpapi-idempotency-key-header). */
  public static final String HEADER = "Idempotency-Key";
  /** The response header of an answer given again for a key seen before. */
  public static final String REPLAYED = "Idempotency-Replayed";
  /** 1 to 255 visible ASCII characters. */
  private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
  private static final long PRUNE_EVERY_MS = 600_000;

  /** The answer of a write: a status and a JSON body; {@code replayed} when it was given before for the same key. */
  public record Answer(int status, JsonObject body, boolean replayed) {

    public Answer {
      Objects.requireNonNull(body);
    }
  }

  private final Vertx vertx;
  private final Pool writer;
  private final long ttlMs;
  private long pruneTimer = -1;

  /** @param ttlMs how long a key is kept ({@code knowledge.idempotencyKeyTtlMs}) */
  public IdempotentWrites(Vertx vertx, Pool writer, long ttlMs) {
    this.vertx = Objects.requireNonNull(vertx);
    this.writer = Objects.requireNonNull(writer);
    if (ttlMs < 1) {
      throw new IllegalArgumentException("knowledge.idempotencyKeyTtlMs must be positive, was " + ttlMs);
    }
    this.ttlMs = ttlMs;
  }

  /**
   * The request's {@code Idempotency-Key}, or empty without one. A key may be sent bare or as a
   * structured-field string ({@code "…"}).
   *
   * @throws ApiError {@code 400 invalid_request} for a header sent twice or a key that is not 1 to 255
   *     visible ASCII characters
   */
  public static Optional<String> key(RoutingContext ctx) {
    List<String> values = ctx.request().headers().getAll(HEADER);
    if (values.isEmpty()) {
      return Optional.empty();
    }
    String value = values.get(0).strip();
    if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
      value = value.substring(1, value.length() - 1);
    }
    if (values.size() > 1 || !KEY.matcher(value).matches()) {
      throw ApiError.invalidRequest("header " + HEADER + " must be sent once, as 1 to 255 visible ASCII characters");
    }
    return Optional.of(value);
  }

  /** The fingerprint of a request body that a key is bound to: its SHA-256, hex. */
  public static String fingerprint(Buffer body) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(body == null ? new byte[0] : body.getBytes()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  /** Runs {@code write} in one transaction on the primary, without a key. */
  public Future<Answer> run(Function<SqlConnection, Future<Answer>> write) {
    return run("", Optional.empty(), "", write);
  }

  /**
   * Runs {@code write} in one transaction on the primary. With a key, the key is taken first and the
   * answer stored with it, in that transaction.
   *
   * @param scope the call the key belongs to (method and path): a key means nothing on another call
   * @param write what the request stores, on the transaction's connection; succeeds with its answer
   * @return the answer: {@code write}'s, or for a key seen before with the same fingerprint the one
   *     given then ({@code replayed}); fails with {@code 422 idempotency_key_reused} for a key seen
   *     before with another fingerprint, else with {@code write}'s or the database's failure (then
   *     nothing was stored)
   */
  public Future<Answer> run(String scope, Optional<String> key, String fingerprint,
      Function<SqlConnection, Future<Answer>> write) {
    if (key.isEmpty()) {
      return writer.withTransaction(write::apply);
    }
    return writer.withTransaction(conn -> conn.preparedQuery(SqlQueries.CLAIM_KEY)
        .execute(Tuple.of(scope, key.get(), fingerprint, ttlMs))
        .compose(claimed -> claimed.size() == 1
            ? write.apply(conn).compose(answer -> conn.preparedQuery(SqlQueries.ANSWER_KEY)
                .execute(Tuple.of(scope, key.get(), answer.status(), answer.body()))
                .map(answer))
            : conn.preparedQuery(SqlQueries.KEY_ANSWER).execute(Tuple.of(scope, key.get()))
                .compose(rows -> rows.size() == 0
                    // pruned between the two statements: nothing was written, the client may send it again
                    ? Future.failedFuture(ApiError.overloaded("the " + HEADER + " '" + key.get() + "' expired just "
                        + "now; send the request again", 1))
                    : replay(rows.iterator().next(), key.get(), fingerprint))));
  }

  private static Future<Answer> replay(Row row, String key, String fingerprint) {
    if (!row.getString("fingerprint").equals(fingerprint)) {
      return Future.failedFuture(new ApiError(422, "idempotency_key_reused", "the " + HEADER + " '" + key
          + "' was used with another request body; use a new key for a new request"));
    }
    return Future.succeededFuture(new Answer(row.getInteger("status"), row.getJsonObject("response"), true));
  }

  /** Forgets the keys older than their time to live; succeeds with how many. */
  public Future<Integer> prune() {
    return writer.preparedQuery(SqlQueries.PRUNE_KEYS).execute(Tuple.of(ttlMs)).map(rows -> rows.rowCount());
  }

  /** Prunes every ten minutes until {@link #close()}; an expired key is taken as new even before. */
  public void start() {
    pruneTimer = vertx.setPeriodic(PRUNE_EVERY_MS, id -> prune()
        .onSuccess(n -> {
          if (n > 0) {
            LOG.debug("idempotency keys pruned [keys: {}]", n);
          }
        })
        .onFailure(e -> LOG.warn("idempotency keys not pruned; trying again later [reason: {}]", e.toString())));
  }

  @Override
  public void close() {
    if (pruneTimer != -1) {
      vertx.cancelTimer(pruneTimer);
    }
  }
}
