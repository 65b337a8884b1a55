package dev.edgechat.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.support.ManualTime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The request-head deadline on a Netty pipeline like Vert.x's (decoder, encoder), with time moved
 * by hand: what a slow, silent or foreign client gets, and that kept-alive connections and
 * responses under way are left alone.
 */
class RequestHeadDeadlineTest {

  private static final long TIMEOUT_MS = 1_000;
  private static final String GET = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

  private final ManualTime time = new ManualTime();

  private EmbeddedChannel channel() {
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.pipeline().addLast("httpDecoder", new HttpRequestDecoder());
    channel.pipeline().addLast("httpEncoder", new HttpResponseEncoder());
    assertThat(RequestHeadDeadline.install(channel.pipeline(), time, TIMEOUT_MS)).isTrue();
    return channel;
  }

  private void advance(EmbeddedChannel channel, long ms) {
    time.advanceMs(ms);
    channel.runPendingTasks();
  }

  private static void send(EmbeddedChannel channel, String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
  }

  /** Everything written to the client so far, as text. */
  private static String written(EmbeddedChannel channel) {
    StringBuilder out = new StringBuilder();
    for (Object msg; (msg = channel.readOutbound()) != null; ) {
      out.append(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
      ReferenceCountUtil.release(msg);
    }
    return out.toString();
  }

  /** Drops the decoded requests handed on (to Vert.x), counting the heads. */
  private static int requestsHandedOn(EmbeddedChannel channel) {
    int heads = 0;
    for (Object msg; (msg = channel.readInbound()) != null; ) {
      if (msg instanceof HttpRequest) {
        heads++;
      }
      ReferenceCountUtil.release(msg);
    }
    return heads;
  }

  /** Verifies that a connection that says nothing gets 408 in JSON once the timeout passed, not before. */
  @Test
  void silentConnection_408AfterTimeout() {
    EmbeddedChannel channel = channel();
    advance(channel, TIMEOUT_MS - 1);
    assertThat(channel.isOpen()).isTrue();
    assertThat(written(channel)).isEmpty();
    advance(channel, 1);
    String reply = written(channel);
    assertThat(reply).startsWith("HTTP/1.1 408").contains("\"code\":\"request_timeout\"").contains("connection: close");
    assertThat(channel.isOpen()).isFalse();
  }

  /** Verifies that bytes trickling in do not hold the deadline off (slowloris). */
  @Test
  void slowHead_408ThoughBytesKeepComing() {
    EmbeddedChannel channel = channel();
    for (int i = 0; i < 9; i++) {
      send(channel, GET.substring(i, i + 1));
      advance(channel, TIMEOUT_MS / 10);
    }
    assertThat(channel.isOpen()).isTrue();
    send(channel, GET.substring(9, 10));
    advance(channel, TIMEOUT_MS / 10);
    assertThat(written(channel)).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
    assertThat(requestsHandedOn(channel)).isZero();
  }

  /**
   * Verifies that a whole head stops the deadline, that a kept-alive connection idle between
   * requests is not cut, and that the next request's head has a deadline of its own from its first byte.
   */
  @Test
  void keepAlive_idleNotCut_nextHeadTimed() {
    EmbeddedChannel channel = channel();
    send(channel, GET);
    assertThat(requestsHandedOn(channel)).isOne();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    written(channel);
    advance(channel, 10 * TIMEOUT_MS);
    assertThat(channel.isOpen()).isTrue();
    assertThat(written(channel)).isEmpty();
    send(channel, "GET /hea");
    advance(channel, TIMEOUT_MS);
    assertThat(written(channel)).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  /**
   * Verifies that a head begun while the timer of an earlier one still runs (one timer per
   * connection, re-armed lazily) gets its whole timeout from its own first byte: neither cut when
   * that timer fires nor left without a deadline.
   */
  @Test
  void keepAlive_headBegunWhileEarlierTimerRuns_timedFromItsFirstByte() {
    EmbeddedChannel channel = channel();
    send(channel, GET);
    assertThat(requestsHandedOn(channel)).isOne();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
    written(channel);
    advance(channel, 600);
    send(channel, "GET /hea");
    advance(channel, 400); // the opening's timer fires here
    assertThat(channel.isOpen()).isTrue();
    assertThat(written(channel)).isEmpty();
    advance(channel, TIMEOUT_MS - 400 - 1);
    assertThat(channel.isOpen()).isTrue();
    assertThat(written(channel)).isEmpty();
    advance(channel, 1);
    assertThat(written(channel)).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  /** Verifies that a slow head behind a response under way (pipelining) waits for that response to end. */
  @Test
  void responseUnderWay_deadlineWaitsForItsEnd() {
    EmbeddedChannel channel = channel();
    send(channel, GET);
    requestsHandedOn(channel);
    DefaultHttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    head.headers().set(HttpHeaderNames.TRANSFER_ENCODING, "chunked");
    channel.writeOutbound(head);
    written(channel);
    send(channel, "GET /hea");
    advance(channel, 3 * TIMEOUT_MS);
    assertThat(channel.isOpen()).as("the stream is not cut").isTrue();
    assertThat(written(channel)).isEmpty();
    channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT);
    written(channel);
    advance(channel, TIMEOUT_MS);
    assertThat(written(channel)).startsWith("HTTP/1.1 408");
    assertThat(channel.isOpen()).isFalse();
  }

  /** Verifies that a TLS ClientHello on the plain port is closed at once, unanswered. */
  @Test
  void tlsClientHello_closedAtOnce() {
    EmbeddedChannel channel = channel();
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, (byte) 0xa5, 0x01}));
    assertThat(channel.isOpen()).isFalse();
    assertThat(written(channel)).isEmpty();
    assertThat(requestsHandedOn(channel)).isZero();
  }

  /** Verifies that another HTTP version gets 400 {@code http_version_not_supported} in JSON and is not handed on; 1.0 and 1.1 are. */
  @Test
  void foreignVersion_400NotHandedOn() {
    EmbeddedChannel foreign = channel();
    send(foreign, "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n");
    assertThat(written(foreign)).startsWith("HTTP/1.1 400").contains("\"code\":\"http_version_not_supported\"");
    assertThat(foreign.isOpen()).isFalse();
    assertThat(requestsHandedOn(foreign)).isZero();
    EmbeddedChannel old = channel();
    send(old, "\r\nGET /healthz HTTP/1.0\r\n\r\n");
    assertThat(requestsHandedOn(old)).isOne();
    assertThat(old.isOpen()).isTrue();
  }
}
