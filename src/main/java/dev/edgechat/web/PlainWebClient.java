package dev.edgechat.web;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/**
 * The vertx-web-client every request/response call uses (edge → origin JSON calls, remote
 * embeddings, an upstream's model list, the bench's admin and JSON calls), set up to send what a
 * call built by hand on the core {@link HttpClient} sends: no {@code User-Agent} of its own and no
 * redirects followed.
 *
 * <p>A class that also streams wraps the {@link HttpClient} it streams on ({@link #over}), so both
 * kinds of call share one pool, its size, its wait queue and its connect timeout.
 */
public final class PlainWebClient {

  private PlainWebClient() {
  }

  /** Web client options that add nothing to a request: no user agent, no redirects followed. */
  public static WebClientOptions options() {
    return new WebClientOptions().setUserAgentEnabled(false).setFollowRedirects(false);
  }

  /** A web client over {@code client}'s pool and options; closing {@code client} closes it too. */
  public static WebClient over(HttpClient client) {
    return WebClient.wrap(client, options());
  }

  /** A web client with a pool of its own, as {@code vertx.createHttpClient()} makes it. */
  public static WebClient create(Vertx vertx) {
    return WebClient.create(vertx, options());
  }

  /**
   * The body of a whole response as the server sent it: empty, never null, when it sent none
   * (WebClient's buffer codec gives null for an empty body, the core client an empty buffer).
   */
  public static Buffer body(HttpResponse<Buffer> response) {
    Buffer body = response.body();
    return body != null ? body : Buffer.buffer();
  }
}
