package dev.edgechat.roles;

import dev.edgechat.time.Scheduler;
import dev.edgechat.cache.AnswerCache;
import dev.edgechat.cache.DocumentPurges;
import dev.edgechat.cache.TieredAnswerCache;
import dev.edgechat.cache.semantic.MeaningGuard;
import dev.edgechat.cache.semantic.SemanticCache;
import dev.edgechat.config.ConfigException;
import dev.edgechat.config.EdgechatConfig;
import dev.edgechat.config.LiveConfig;
import dev.edgechat.edge.AdminRelay;
import dev.edgechat.edge.ChangeFollower;
import dev.edgechat.edge.ChatApi;
import dev.edgechat.edge.OriginClient;
import dev.edgechat.edge.ResumeApi;
import dev.edgechat.edge.SiteDirectory;
import dev.edgechat.embedding.MiniLmQuestionEmbedder;
import dev.edgechat.gateway.GatewayApi;
import dev.edgechat.limits.Limiter;
import dev.edgechat.limits.LocalWindows;
import dev.edgechat.limits.RedisWindows;
import dev.edgechat.limits.VisitorLimits;
import dev.edgechat.ops.OpsRoutes;
import dev.edgechat.ops.Readiness;
import dev.edgechat.origin.AdminApi;
import dev.edgechat.redis.RedisConnection;
import dev.edgechat.widget.DemoPage;
import dev.edgechat.widget.WidgetAssets;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.RedisAPI;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Role edge: the widget, the visitor chat API and the OpenAI-compatible gateway on the public
 * port, answering from its caches and asking origin on a miss.
 */
public final class EdgeRole {

  private static final Logger LOG = LoggerFactory.getLogger(EdgeRole.class);

  private final RoleContext context;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private final LiveConfig config;

  public EdgeRole(RoleContext context) {
    this.context = Objects.requireNonNull(context);
    this.vertx = context.vertx;
    this.registry = context.registry;
    this.config = context.config;
  }

  /**
   * Builds the edge's parts and serves them on http.host:http.port. Succeeds with the port it
   * listens on; fails when a part cannot start (what did start is stopped by the context's teardown).
   *
   * @param redisUrl the region's cache Redis; without one the edge caches in-process only
   * @param extraChecks dependencies of this process's other roles, reported by the public /readyz too
   * @param admin origin's admin API, served on the public port too (role all has one public port)
   */
  public Future<Integer> start(URI originUrl, String edgeToken, Optional<URI> redisUrl, List<Readiness> extraChecks,
      Optional<AdminApi> admin) {
    EdgechatConfig settings = config.get();
    List<Readiness> checks = new ArrayList<>(extraChecks);
    RedisAPI cacheRedis = null;
    if (redisUrl.isPresent()) {
      RedisConnection redis = context.redis(redisUrl.get());
      checks.add(redis.readiness());
      cacheRedis = redis.api();
    } else {
      LOG.warn("no cache Redis configured (redis.url): answers are cached in this process only");
    }
    // a purge by document retires what an answer made before it cites, for as long as such an answer can live
    Scheduler time = Scheduler.of(vertx);
    DocumentPurges purges = new DocumentPurges(() -> longestAnswerLifeMs(config.get()), time.clock()::millis);
    AnswerCache cache = new TieredAnswerCache(config, cacheRedis, registry, time, purges);
    SemanticCache semantic = new SemanticCache(vertx, config, new MiniLmQuestionEmbedder(vertx,
        settings.cache().embedderThreads()), cache, MeaningGuard::new, registry, Scheduler.of(vertx));
    // a step, so that the stop waits for what close() returns: the model's loading, if under way, ends first
    context.teardown.step(semantic::close);
    OriginClient origin = new OriginClient(vertx, () -> originUrl, edgeToken, settings.edge());
    SiteDirectory sites = new SiteDirectory(origin, purges, semantic::blockWrongHits, config);
    // every change of every site, pushed by origin over this edge's connection to it
    ChangeFollower changes = context.teardown.add(new ChangeFollower(vertx, origin, sites, cache, semantic, purges,
        () -> config.get().edge().changesTimeoutMs(), System::currentTimeMillis, registry));
    changes.start();
    ResumeApi resumes = new ResumeApi(vertx, config, cacheRedis, registry);
    // abuse limits, counted in the cache Redis so every edge of the region counts together (docs/limits.md)
    Limiter limiter = new Limiter(cacheRedis != null ? new RedisWindows(cacheRedis) : new LocalWindows(), time,
        () -> config.get().limits().redisTimeoutMs(), registry);
    VisitorLimits limits = new VisitorLimits(limiter, config);
    ChatApi chat = new ChatApi(vertx, config, sites, origin, cache, semantic, resumes, limits, registry,
        context.siteTags);
    // after the port closed: the exchanges served from cache reach origin before it stops (role all)
    context.teardown.step(chat::flush);
    // the admin API is origin's: where this process does not serve it, the edge relays it (or, on Fly, replays it)
    Optional<AdminRelay> relay = admin.isPresent() ? Optional.empty() : Optional.of(adminRelay(originUrl, settings));
    // the OpenAI-compatible gateway shares the answer cache, its semantic level and the cache Redis
    GatewayApi gateway = new GatewayApi(vertx, config, cache, semantic, cacheRedis, limiter, registry);
    context.teardown.add(gateway);
    checks.add(origin.readiness());
    OpsRoutes ops = context.ops(checks);
    // the limiter's script and connection readied before the port opens: the first chat must not
    // pay for them within the limiter's 50 ms and pass unlimited with a warning
    return Future.all(WidgetAssets.load(vertx), DemoPage.load(vertx), limiter.warmUp()).compose(loaded -> context.serve("edge",
        settings.http().host(), settings.http().port(), router -> {
      ops.mount(router);
      // while the process drains, new answers go elsewhere (Drain)
      chat.mount(router, context.drain::refuseNewStreams);
      gateway.mount(router, context.drain::refuseNewStreams);
      loaded.<WidgetAssets>resultAt(0).mount(router);
      router.get("/v1/chat/:message/events").handler(limits::admitRead);
      resumes.mount(router);
      admin.ifPresent(a -> a.mount(router));
      relay.ifPresent(r -> r.mount(router));
      loaded.<DemoPage>resultAt(1).mount(router);
    })).map(p -> {
      LOG.info("edge ready [url: http://localhost:{}/, region: {}, origin: {}]", p, settings.region(), originUrl);
      if (settings.cache().semantic()) {
        warmUp(semantic);
      }
      return p;
    });
  }

  /**
   * Loads the semantic cache's model and WordNet's table (a second or two of CPU, about 100 MB) in the
   * background, once the port is open: the edge serves meanwhile and semantic lookups wait for it.
   * Not before: on a small machine the load competed with the start for the cores and put off
   * ready by seconds (docs/benchmarks.md, "Lean edge"), and ready does not promise the model.
   */
  private void warmUp(SemanticCache semantic) {
    semantic.warmUp().onFailure(e -> {
      if (context.drain.draining()) {
        // stopped while it loaded: the JVM's shutdown refuses what loading registers (ONNX Runtime's hook)
        LOG.debug("the semantic cache's model did not load before the stop: {}", e.toString());
      } else {
        LOG.warn("the semantic cache's model failed to load: {}", e.toString());
      }
    });
  }

  /** How long an answer can be served after it was made, at most: the longer life with its jitter, then stale. */
  static long longestAnswerLifeMs(EdgechatConfig settings) {
    return Math.round(Math.max(settings.cache().staticTtlMs(), settings.cache().dynamicTtlMs()) * 1.1)
        + settings.cache().staleMs();
  }

  /** The relay of the admin API to origin; on Fly, the primary region must be known to replay calls to it. */
  private AdminRelay adminRelay(URI originUrl, EdgechatConfig settings) {
    if (settings.edge().flyReplay() && settings.edge().primaryRegion().isEmpty()) {
      throw new ConfigException("setting edge.primaryRegion (or PRIMARY_REGION, which Fly sets from fly.toml's "
          + "primary_region) is required for role edge when edge.flyReplay is on (FLY_REGION is set): admin calls are "
          + "replayed to that region");
    }
    AdminRelay relay = new AdminRelay(vertx, originUrl, settings.region(), settings.edge(),
        settings.knowledge().maxUploadBytes(), Scheduler.of(vertx));
    context.teardown.step(relay::close);
    return relay;
  }
}
