package dev.edgechat.web;

import dev.edgechat.time.Scheduler;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.impl.Http1xServerConnection;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The HTTP/1.x protocol guards of one connection, in its Netty pipeline: a deadline for a request's
 * line and headers, a prompt close for bytes that cannot begin HTTP, and a JSON answer for a version
 * other than HTTP/1.0 and 1.1.
 *
 * <p>Design note: written by hand because neither Vert.x 5 nor Netty has a deadline for a request's
 * head. Vert.x's idle timeout and Netty's {@code IdleStateHandler}/{@code ReadTimeoutHandler}
 * measure silence, and a slowloris client is never silent (one byte a second keeps them all
 * satisfied); Vert.x's own answer to a foreign version is a bodiless 501 sent before any handler of
 * ours sees the request. Vert.x exposes no pipeline hook, so {@link #install} reaches the channel
 * through Vert.x's connection class ({@code Http1xServerConnection}, public but internal): should a
 * Vert.x upgrade move it, the connection is left unguarded and a log line says so, nothing breaks.
 *
 * <p>The deadline: {@code timeoutMs} from the connection's opening for its first request, and from
 * the first byte of each later one (an idle keep-alive connection between requests is the idle
 * timeout's business, not this one's); it is met when the decoder has the whole head. Missed, the
 * connection gets {@code 408 request_timeout} and closes; should a response still be going out on
 * it (a client pipelining a slow head behind a stream), the stream is left to finish and the
 * deadline is looked at again one timeout later. A connection whose first byte cannot start a
 * request line (a TLS ClientHello on the plain port begins with 0x16) is closed at once: it
 * speaks another protocol and could not read an HTTP answer.
 *
 * <p>One timer per connection at most, re-armed lazily: a head's first byte only notes when its
 * deadline falls, and a timer still running from an earlier head is kept (when it fires early, it
 * is set again for what is left). Setting and cancelling a timer for every request of a keep-alive
 * connection cost about 5 % of the event loops' time on cache hits (docs/benchmarks.md, issue 20).
 *
 * <p>All state is touched on the connection's event loop only (the timer's task hops back to it).
 */
public final class RequestHeadDeadline {

  /** Pipeline names of the two handlers. */
  static final String BYTES = "edgechatHeadBytes";
  static final String MESSAGES = "edgechatHeadMessages";

  private final Scheduler time;
  private final long timeoutMs;
  private ChannelHandlerContext messages;
  private Scheduler.Timer timer;
  /** When the head under way must be in ({@link Scheduler#nanoTime}), while a deadline runs. */
  private long deadlineNanos;
  /** A deadline runs: a head began (or the connection opened) and is not all in. */
  private boolean pending;
  /** No byte of the connection has been seen yet. */
  private boolean fresh = true;
  /** A head was decoded and its body is not all read: no deadline runs. */
  private boolean inRequest;
  /** Responses begun and not yet ended on this connection. */
  private int responding;
  /** A foreign version was answered: what else arrives is dropped until the close. */
  private boolean discarding;

  private RequestHeadDeadline(Scheduler time, long timeoutMs) {
    this.time = Objects.requireNonNull(time);
    this.timeoutMs = timeoutMs;
  }

  /**
   * Puts the guards in {@code connection}'s pipeline (for {@code HttpServer#connectionHandler});
   * an HTTP/2 connection is left as it is (it has its own framing).
   *
   * @return whether the guards are in place
   */
  public static boolean install(HttpConnection connection, Scheduler time, long timeoutMs) {
    if (!(connection instanceof Http1xServerConnection http1)) {
      return false;
    }
    return install(http1.channelHandlerContext().pipeline(), time, timeoutMs);
  }

  /**
   * Puts the guards around the pipeline's {@code httpDecoder} and {@code httpEncoder} (Vert.x's
   * names for them).
   *
   * @return false, changing nothing, when the pipeline has no such handlers
   */
  static boolean install(ChannelPipeline pipeline, Scheduler time, long timeoutMs) {
    if (pipeline.get("httpDecoder") == null || pipeline.get("httpEncoder") == null) {
      return false;
    }
    RequestHeadDeadline deadline = new RequestHeadDeadline(time, timeoutMs);
    // raw bytes before they are decoded; decoded messages in, response messages out (before encoding)
    pipeline.addBefore("httpDecoder", BYTES, deadline.new Bytes());
    pipeline.addAfter("httpEncoder", MESSAGES, deadline.new Messages());
    return true;
  }

  /** Starts a head's deadline, {@code timeoutMs} from now, unless one runs (more bytes of the same head). */
  private void arm() {
    if (!pending) {
      deadlineNanos = time.nanoTime() + timeoutMs * 1_000_000;
      pending = true;
    }
    if (timer == null) {
      schedule(timeoutMs);
    }
  }

  /** The head is in: no deadline runs; a timer under way is left to fire and find nothing to do. */
  private void disarm() {
    pending = false;
  }

  /** The connection is done with: no timer is left behind. */
  private void stop() {
    pending = false;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  private void schedule(long delayMs) {
    timer = time.after(delayMs, () -> messages.executor().execute(this::expired));
  }

  private void expired() {
    timer = null;
    if (!pending || inRequest || !messages.channel().isActive()) {
      return;
    }
    long left = deadlineNanos - time.nanoTime();
    if (left > 0) {
      // a later head's deadline, noted while this timer ran: wait for what is left of it
      schedule((left + 999_999) / 1_000_000);
      return;
    }
    pending = false;
    if (responding > 0) {
      arm();
      return;
    }
    ProtocolErrors.headTimedOut(messages.channel().remoteAddress(), timeoutMs);
    discarding = true;
    send(messages, ApiError.requestTimeout("the request's line and headers did not arrive within " + timeoutMs + " ms"));
  }

  /** Writes {@code response} (HTTP/1.1, {@code Connection: close}) and closes once it is out. */
  private static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  static FullHttpResponse response(int status, byte[] json) {
    DefaultFullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.wrappedBuffer(json));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
        .set(HttpHeaderNames.CACHE_CONTROL, "no-store")
        .set(HttpHeaderNames.CONTENT_LENGTH, json.length)
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    return response;
  }

  private static void send(ChannelHandlerContext ctx, ApiError error) {
    send(ctx, response(error.status(), ProtocolErrors.body(error)));
  }

  /** Whether {@code b} may begin a request line: a method is a token (RFC 9110 §5.6.2). */
  static boolean mayStartRequest(int b) {
    return b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }

  /** Sees the raw bytes: starts the deadline at a head's first byte, closes on a foreign protocol. */
  private final class Bytes extends ChannelInboundHandlerAdapter {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      // the first request's deadline runs from the opening: a client that connects and says nothing is held no longer
      if (ctx.channel().isActive()) {
        arm();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      arm();
      ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (discarding) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof ByteBuf bytes && bytes.isReadable()) {
        if (fresh) {
          fresh = false;
          int first = firstSignificantByte(bytes);
          if (first >= 0 && !mayStartRequest(first)) {
            ProtocolErrors.notHttp(ctx.channel().remoteAddress(), first);
            discarding = true;
            stop();
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
          }
        }
        if (!inRequest) {
          arm();
        }
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stop();
      ctx.fireChannelInactive();
    }

    /** The first byte that is not a line break (which may precede a request line), or -1. */
    private int firstSignificantByte(ByteBuf bytes) {
      for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
        int b = bytes.getUnsignedByte(i);
        if (b != '\r' && b != '\n') {
          return b;
        }
      }
      fresh = true; // only line breaks so far: look again at the next bytes
      return -1;
    }
  }

  /** Sees decoded requests (the head arrived) and the responses going out. */
  private final class Messages extends ChannelDuplexHandler {

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
      messages = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (discarding) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpRequest request) {
        disarm();
        inRequest = true;
        HttpVersion version = request.protocolVersion();
        boolean spoken = version.majorVersion() == 1 && version.minorVersion() <= 1;
        if (request.decoderResult().isSuccess() && !spoken) {
          discarding = true;
          ProtocolErrors.foreignVersion(ctx.channel().remoteAddress(), version.text());
          ReferenceCountUtil.release(msg);
          send(ctx, ApiError.versionNotSupported("HTTP/1.1 and HTTP/1.0 are spoken here, not " + version.text()));
          return;
        }
      }
      if (msg instanceof LastHttpContent) {
        inRequest = false;
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse) {
        responding++;
      }
      if (msg instanceof LastHttpContent && responding > 0) {
        responding--;
      }
      ctx.write(msg, promise);
    }
  }
}
