package dev.edgechat.knowledge;

import dev.edgechat.ops.Readiness;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether origin (which embeds questions) and the worker (which embeds chunks) embed alike. A question's
 * vector is compared only with chunks of the same model and length ({@link ChunkIndex}): with origin on
 * {@code local} and the worker on {@code remote}, or on two models, every answer would cite nothing.
 *
 * <p>Each role records its model in {@code embedding_models} at start ({@link #record()}) and reads the
 * other's on each {@code /readyz} ({@link #readiness()}): a difference is reported {@code degraded},
 * naming both roles' settings, and logged as an error when first seen. Not essential: origin still
 * answers (from the chunks its own model made), and a deliberate change of model, deployed to one role
 * after the other, does not take the service down meanwhile; once both run the same settings the
 * report is {@code up} again. In role {@code all} origin ingests with its own model: it records
 * {@code origin} only.
 */
public final class EmbeddingAgreement {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddingAgreement.class);

  /** One role's embeddings: {@code embeddings.provider}, the model's name and its vectors' length. */
  public record Embedder(String provider, String model, int dimensions) {

    public Embedder {
      provider = provider.toLowerCase(Locale.ROOT);
      Objects.requireNonNull(model);
    }

    String describe() {
      return "embeddings.provider=" + provider + ", model " + model + " (" + dimensions + " dimensions)";
    }
  }

  private final Pool primary;
  private final String role;
  private final String other;
  private final Embedder own;
  private volatile boolean reported;

  /**
   * @param role {@code origin} or {@code worker}: the row this process writes; it reads the other one
   * @param own what this process embeds with
   */
  public EmbeddingAgreement(Pool primary, String role, Embedder own) {
    this.primary = Objects.requireNonNull(primary);
    if (!role.equals("origin") && !role.equals("worker")) {
      throw new IllegalArgumentException("role must be origin or worker, was " + role);
    }
    this.role = role;
    this.other = role.equals("origin") ? "worker" : "origin";
    this.own = Objects.requireNonNull(own);
  }

  /**
   * Records this role's embeddings, then compares them with the other role's. Succeeds when recorded
   * (a difference is logged, and reported by {@link #readiness()}); fails when Postgres cannot be written.
   */
  public Future<Void> record() {
    return primary.preparedQuery(SqlQueries.RECORD_EMBEDDING_MODEL)
        .execute(Tuple.of(role, own.provider(), own.model(), own.dimensions()))
        .compose(r -> disagreement())
        .map(difference -> {
          difference.ifPresent(this::reportOnce);
          return null;
        });
  }

  /** The {@code embeddings} entry of {@code /readyz}: fails, naming both settings, while the two roles differ. */
  public Readiness readiness() {
    return new Readiness() {
      @Override
      public String name() {
        return "embeddings";
      }

      @Override
      public Future<Void> check() {
        return disagreement().compose(difference -> {
          if (difference.isEmpty()) {
            reported = false;
            return Future.succeededFuture();
          }
          reportOnce(difference.get());
          return Future.failedFuture(difference.get());
        });
      }

      @Override
      public boolean essential() {
        return false;
      }
    };
  }

  /** Why the other role's recorded embeddings differ from this one's, if they do (none recorded: no difference). */
  Future<Optional<String>> disagreement() {
    return primary.preparedQuery(SqlQueries.EMBEDDING_MODEL_OF_ROLE).execute(Tuple.of(other))
        .map(this::compare);
  }

  private Optional<String> compare(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row row = rows.iterator().next();
    Embedder theirs = new Embedder(row.getString("provider"), row.getString("model"), row.getInteger("dimensions"));
    if (theirs.model().equals(own.model()) && theirs.dimensions() == own.dimensions()) {
      return Optional.empty();
    }
    Embedder origin = role.equals("origin") ? own : theirs;
    Embedder worker = role.equals("origin") ? theirs : own;
    return Optional.of("origin embeds questions with " + origin.describe() + ", the worker embeds chunks with "
        + worker.describe() + " (recorded " + row.getOffsetDateTime("updated_at") + "): retrieval finds no "
        + "passage (sources: []) until embeddings.provider, embeddings.model and embeddings.dimensions are the same "
        + "on origin and worker");
  }

  private void reportOnce(String difference) {
    if (!reported) {
      reported = true;
      LOG.error("embeddings differ between origin and worker [role: {}, reason: {}]", role, difference);
    }
  }
}
