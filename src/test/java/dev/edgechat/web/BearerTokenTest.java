package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.SimulatedSystem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code Bearer} scheme in any case, as RFC 9110 §11.1 has it, everywhere a token is read: the admin
 * token, the edge token at origin, the gateway's keys; over real HTTP to role all (issue 21, item 9).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 180, timeUnit = TimeUnit.SECONDS)
class BearerTokenTest {

  private static final String ADMIN_TOKEN = "admin-" + Ids.next();
  private static final String EDGE_TOKEN = "edge-" + Ids.next();
  private static final String GATEWAY_KEY = "key-" + Ids.next();
  private static SimulatedSystem system;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    SimulatedSystem.start(vertx, Map.of(), Map.of("EDGECHAT_ADMIN_TOKEN", ADMIN_TOKEN, "EDGECHAT_EDGE_TOKEN",
            EDGE_TOKEN, "EDGECHAT_GATEWAY_KEYS", GATEWAY_KEY))
        .onComplete(ctx.succeeding(started -> {
          system = started;
          ctx.completeNow();
        }));
  }

  @AfterAll
  static void stop(VertxTestContext ctx) {
    (system == null ? Future.succeededFuture() : system.close()).onComplete(v -> ctx.completeNow());
  }

  /** Verifies the header's parsing: any case of the scheme, one or more spaces; no token or another scheme is none. */
  @Test
  void of_schemeInAnyCase_token_issue21Item9() {
    assertThat(BearerToken.of("Bearer abc")).contains("abc");
    assertThat(BearerToken.of("bearer abc")).contains("abc");
    assertThat(BearerToken.of("BEARER   abc")).contains("abc");
    assertThat(BearerToken.of("Bearer")).isEmpty();
    assertThat(BearerToken.of("Bearer   ")).isEmpty();
    assertThat(BearerToken.of("Bearerabc")).isEmpty();
    assertThat(BearerToken.of("Basic abc")).isEmpty();
    assertThat(BearerToken.of(null)).isEmpty();
    assertThat(BearerToken.carries("bEaReR abc", "abc")).isTrue();
    assertThat(BearerToken.carries("Bearer abd", "abc")).isFalse();
    assertThat(BearerToken.carries("Bearer abc", "ab")).isFalse();
  }

  /**
   * Verifies that the admin API, origin's edge-token routes and the gateway accept {@code bearer} and
   * {@code BEARER}, and still refuse a wrong token or another scheme with 401.
   */
  @Test
  void everyTokenCheck_lowerAndUpperCaseScheme_accepted_issue21Item9(VertxTestContext ctx) {
    int edge = system.app().edgePort();
    int origin = system.app().originPort();
    List<Future<Integer>> statuses = List.of(
        status(edge, "/admin/jobs/no-such-job", "bearer " + ADMIN_TOKEN),
        status(edge, "/admin/jobs/no-such-job", "BEARER " + ADMIN_TOKEN),
        status(edge, "/admin/jobs/no-such-job", "bearer wrong"),
        status(origin, "/internal/sites/demo", "bearer " + EDGE_TOKEN),
        status(origin, "/internal/sites/demo", "Basic " + EDGE_TOKEN),
        status(edge, "/v1/models", "bearer " + GATEWAY_KEY),
        status(edge, "/v1/models", "bearer wrong"));
    Future.all(statuses).onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      // 404: past the token check, no such job
      assertThat(statuses.stream().map(Future::result).toList()).containsExactly(404, 404, 401, 200, 401, 200, 401);
      ctx.completeNow();
    })));
  }

  private static Future<Integer> status(int port, String uri, String authorization) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(port)
        .setURI(uri).putHeader("Authorization", authorization);
    return system.http().request(options).compose(req -> req.send()
        .compose(resp -> resp.body().map(b -> resp.statusCode())));
  }
}
