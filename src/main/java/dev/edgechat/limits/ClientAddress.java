package dev.edgechat.limits;

import dev.edgechat.config.Cidr;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client a request is counted against: the address of the connection it came on, unless that
 * connection comes from a trusted proxy ({@code limits.trustedProxies}); then the address the proxy
 * names: {@code Fly-Client-IP} (set by Fly's proxy), else the rightmost {@code X-Forwarded-For}
 * entry that is not itself a trusted proxy (entries further left were written by whoever sent the
 * request, so anyone can forge them). A header from any other peer is ignored: a client cannot
 * escape its limit by naming someone else.
 *
 * <p>The connection's address is read from the connection, not {@code request.remoteAddress()}:
 * the router honours {@code X-Forwarded-*} (for scheme and host), which rewrites the latter from the
 * client's own headers. An IPv6 client counts by its /64: one subscriber commonly holds a whole /64.
 */
public final class ClientAddress {

  static final String FLY_CLIENT_IP = "Fly-Client-IP";
  static final String X_FORWARDED_FOR = "X-Forwarded-For";

  private static final Logger LOG = LoggerFactory.getLogger(ClientAddress.class);

  private final List<Cidr> trustedProxies;
  /** Once per process: a header from an untrusted peer most likely means a proxy missing from the setting. */
  private final AtomicBoolean warnedUntrusted = new AtomicBoolean();

  public ClientAddress(List<Cidr> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** The client of {@code request}, as counted: an IPv4 address, an IPv6 /64 ({@code 2001:db8:1:2::/64}) or {@code unknown}. */
  public String of(HttpServerRequest request) {
    SocketAddress peer = request.connection() != null ? request.connection().remoteAddress() : request.remoteAddress();
    String address = peer == null ? null : peer.hostAddress();
    return counted(client(address, request.getHeader(FLY_CLIENT_IP), request.getHeader(X_FORWARDED_FOR)));
  }

  /** The client's address, from the peer's and, if the peer is trusted, the headers. */
  String client(String peer, String flyClientIp, String forwardedFor) {
    if (peer == null || !trusted(peer)) {
      if (peer != null && flyClientIp != null && warnedUntrusted.compareAndSet(false, true)) {
        LOG.warn("a request carries Fly-Client-IP from a peer that is not a trusted proxy, so it is counted as that "
            + "peer [peer: {}]; if it is Fly's proxy, add its block to limits.trustedProxies (docs/limits.md)", peer);
      }
      return peer;
    }
    if (flyClientIp != null && Cidrs.isAddress(flyClientIp.trim())) {
      return flyClientIp.trim();
    }
    if (forwardedFor != null) {
      String[] hops = forwardedFor.split(",");
      for (int i = hops.length - 1; i >= 0; i--) {
        String hop = hops[i].trim();
        if (!Cidrs.isAddress(hop)) {
          break; // a malformed entry: what lies left of it cannot be trusted either
        }
        if (!trusted(hop)) {
          return hop;
        }
      }
    }
    return peer;
  }

  private boolean trusted(String address) {
    for (Cidr cidr : trustedProxies) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  /** The address as counted: IPv4 as it is, IPv6 by its /64 prefix. */
  static String counted(String address) {
    if (address == null) {
      return "unknown";
    }
    byte[] bytes = Cidrs.bytes(address);
    if (bytes == null) {
      return "unknown";
    }
    try {
      if (bytes.length == 4) {
        return InetAddress.getByAddress(bytes).getHostAddress();
      }
      byte[] prefix = new byte[16];
      System.arraycopy(bytes, 0, prefix, 0, 8);
      return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
    } catch (UnknownHostException e) {
      return "unknown";
    }
  }

  /** Literal addresses through {@link Cidr}'s parser (no name is ever resolved). */
  private static final class Cidrs {

    static boolean isAddress(String text) {
      return bytes(text) != null;
    }

    static byte[] bytes(String text) {
      if (text.indexOf('/') >= 0) {
        return null;
      }
      try {
        Cidr single = Cidr.parse(Objects.requireNonNull(text));
        return single.prefix() == single.network().length * 8 ? single.network() : null;
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }
}
