package dev.edgechat.embedding;

import dev.edgechat.vectors.Vectors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers vectors in Redis, so a text is embedded once per model however often it is ingested.
 * The key is {@code emb:<model>:<dimensions>:<sha256 of the text>}; the value the vector's
 * little-endian float32s in Base64 (2 KiB for MiniLM's 384 dimensions), kept {@code ttlMs}.
 *
 * <p>One {@code MGET} finds the hits of a call; only the misses (each distinct text once) go to the
 * wrapped model, a batcher for a remote one; their vectors are stored with {@code SET PX} while the
 * caller already has them. Redis failing or slower than {@code timeoutMs} makes every text a miss
 * and stores nothing: embedding goes on without the cache. Nothing is stored for a failed call.
 */
public final class CachedEmbeddingModel implements EmbeddingModel {

  private static final Logger LOG = LoggerFactory.getLogger(CachedEmbeddingModel.class);
  /** Stores are off the caller's path, so they may take longer than lookups. */
  private static final long MIN_STORE_TIMEOUT_MS = 1000;

  private final EmbeddingModel model;
  private final RedisAPI redis;
  private final BooleanSupplier enabled;
  private final LongSupplier ttlMs;
  private final LongSupplier timeoutMs;
  private final String keyPrefix;
  private final Counter hits;
  private final Counter misses;
  private final Counter errors;

  /**
   * A cache that is always on.
   *
   * @param ttlMs how long a vector is kept
   * @param timeoutMs the longest a lookup may take before its texts count as misses
   * @param registry where hits, misses and Redis errors are counted; null for none
   */
  public CachedEmbeddingModel(EmbeddingModel model, RedisAPI redis, long ttlMs, long timeoutMs,
      MeterRegistry registry) {
    this(model, redis, () -> true, () -> ttlMs, () -> timeoutMs, registry);
    if (ttlMs < 1 || timeoutMs < 1) {
      throw new IllegalArgumentException("embeddings.cacheTtlMs and embeddings.cacheTimeoutMs must be positive, were "
          + ttlMs + " and " + timeoutMs);
    }
  }

  /**
   * A cache whose switch and times are read at each call, so that reloaded settings apply at once;
   * while {@code enabled} is false, calls go straight to {@code model}.
   */
  public CachedEmbeddingModel(EmbeddingModel model, RedisAPI redis, BooleanSupplier enabled, LongSupplier ttlMs,
      LongSupplier timeoutMs, MeterRegistry registry) {
    this.model = Objects.requireNonNull(model, "model");
    this.redis = Objects.requireNonNull(redis, "redis");
    this.enabled = Objects.requireNonNull(enabled, "enabled");
    this.ttlMs = Objects.requireNonNull(ttlMs, "ttlMs");
    this.timeoutMs = Objects.requireNonNull(timeoutMs, "timeoutMs");
    this.keyPrefix = "emb:" + model.name() + ":" + model.dimensions() + ":";
    MeterRegistry meters = registry != null ? registry : Meters.none();
    this.hits = lookups(meters, "hit");
    this.misses = lookups(meters, "miss");
    this.errors = Counter.builder("edgechat.embedding.cache.errors").tag("model", model.name())
        .description("embedding cache reads and writes that failed or timed out (embedded without the cache)")
        .register(meters);
  }

  private Counter lookups(MeterRegistry meters, String result) {
    return Counter.builder("edgechat.embedding.cache.lookups").tag("model", model.name()).tag("result", result)
        .description("texts looked up in the embedding cache, by result").register(meters);
  }

  @Override
  public String name() {
    return model.name();
  }

  @Override
  public int dimensions() {
    return model.dimensions();
  }

  /** Vectors in input order, and how many of them came from the cache. */
  public record Embedded(List<float[]> vectors, int fromCache) {
  }

  @Override
  public Future<List<float[]>> embed(List<String> texts) {
    return embedCounted(texts).map(Embedded::vectors);
  }

  /** As {@link #embed}, saying how many vectors came from the cache (0 while it is off or Redis is down). */
  public Future<Embedded> embedCounted(List<String> texts) {
    List<String> copy = List.copyOf(texts);
    if (copy.isEmpty() || !enabled.getAsBoolean()) {
      return model.embed(copy).map(vectors -> new Embedded(vectors, 0));
    }
    List<String> keys = copy.stream().map(this::key).toList();
    return redis.mget(keys)
        .timeout(timeoutMs.getAsLong(), TimeUnit.MILLISECONDS)
        .transform(found -> embedMisses(copy, keys, found));
  }

  /** The key of {@code text}'s vector: the model's prefix and the text's SHA-256. */
  String key(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return keyPrefix + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }

  private Future<Embedded> embedMisses(List<String> texts, List<String> keys, AsyncResult<Response> found) {
    float[][] vectors = new float[texts.size()][];
    boolean redisUp = found.succeeded();
    if (redisUp) {
      Response values = found.result();
      for (int i = 0; i < texts.size() && i < values.size(); i++) {
        vectors[i] = decode(values.get(i));
      }
    } else {
      errors.increment();
      LOG.debug("embedding cache lookup failed; embedding without it [texts: {}, reason: {}]", texts.size(),
          found.cause().toString());
    }
    // each distinct missing text once, with every position that wants it
    Map<String, List<Integer>> missing = new LinkedHashMap<>();
    for (int i = 0; i < texts.size(); i++) {
      if (vectors[i] == null) {
        missing.computeIfAbsent(texts.get(i), t -> new ArrayList<>(1)).add(i);
      }
    }
    int missCount = missing.values().stream().mapToInt(List::size).sum();
    if (redisUp) {
      hits.increment(texts.size() - missCount);
      misses.increment(missCount);
    }
    int fromCache = redisUp ? texts.size() - missCount : 0;
    if (missing.isEmpty()) {
      return Future.succeededFuture(new Embedded(List.of(vectors), fromCache));
    }
    List<String> toEmbed = new ArrayList<>(missing.keySet());
    return model.embed(toEmbed).map(embedded -> {
      if (embedded.size() != toEmbed.size()) {
        throw new EmbeddingException("model " + model.name() + " returned " + embedded.size() + " vectors for "
            + toEmbed.size() + " texts", 0, false, null);
      }
      for (int m = 0; m < toEmbed.size(); m++) {
        List<Integer> positions = missing.get(toEmbed.get(m));
        for (int p = 0; p < positions.size(); p++) {
          vectors[positions.get(p)] = p == 0 ? embedded.get(m) : embedded.get(m).clone();
        }
      }
      if (redisUp) {
        store(toEmbed, embedded);
      }
      return new Embedded(List.of(vectors), fromCache);
    });
  }

  /** A cached vector, or null when there is none or it is not one of this model's. */
  private float[] decode(Response value) {
    if (value == null) {
      return null;
    }
    String text = value.toString();
    if (text == null) {
      return null;
    }
    try {
      float[] vector = Vectors.fromBase64(text);
      // dimensions 0: a model that passes on whatever length its upstream returns (the gateway's)
      int wanted = model.dimensions();
      return vector.length > 0 && (wanted == 0 || vector.length == wanted) ? vector : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void store(List<String> texts, List<float[]> vectors) {
    String ttl = Long.toString(ttlMs.getAsLong());
    long timeout = Math.max(timeoutMs.getAsLong(), MIN_STORE_TIMEOUT_MS);
    for (int i = 0; i < texts.size(); i++) {
      redis.set(List.of(key(texts.get(i)), Vectors.toBase64(vectors.get(i)), "PX", ttl))
          .timeout(timeout, TimeUnit.MILLISECONDS)
          .onFailure(e -> {
            errors.increment();
            LOG.debug("embedding cache store failed [model: {}, reason: {}]", model.name(), e.toString());
          });
    }
  }
}
