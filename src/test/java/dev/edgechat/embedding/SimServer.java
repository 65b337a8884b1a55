package dev.edgechat.embedding;

import dev.edgechat.config.SimSettings;
import dev.edgechat.sim.SimulatorApi;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.URI;

/** The real simulator ({@code sim} role's API) on a loopback port, with its counters at hand. */
record SimServer(SimulatorApi api, HttpServer server) {

  static final int DIMENSIONS = 256;
  /** Quick answers; every embeddings call waits this long, as a remote one would. */
  static final SimSettings SETTINGS = SimSettings.builder().firstTokenMs(20).tokensPerSecond(2000).answerTokens(20)
      .embeddingLatencyMs(5).embeddingDimensions(DIMENSIONS).errorRate(0).stallRate(0).cutRate(0).seed(42)
      .answerSpread(0).build();

  static Future<SimServer> start(Vertx vertx) {
    SimulatorApi api = new SimulatorApi(vertx, SETTINGS);
    Router router = Router.router(vertx);
    api.mount(router);
    return vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
        .map(server -> new SimServer(api, server));
  }

  URI baseUrl() {
    return URI.create("http://127.0.0.1:" + server.actualPort() + "/v1");
  }

  /** A remote model of the simulator at its default vector length. */
  RemoteEmbeddingModel model(Vertx vertx, long timeoutMs) {
    return new RemoteEmbeddingModel(vertx, baseUrl(), "text-embedding-3-small", DIMENSIONS, "test-key", timeoutMs, null);
  }

  Future<Void> close() {
    return server.close();
  }
}
