package dev.edgechat.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.edgechat.config.Cidr;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a request is counted against, behind trusted proxies and not. */
class ClientAddressTest {

  private final ClientAddress behindFly = new ClientAddress(List.of(Cidr.parse("172.16.0.0/12"), Cidr.parse("fdaa::/16")));
  private final ClientAddress direct = new ClientAddress(List.of());

  /** Verifies that without trusted proxies the headers are ignored: a client cannot name someone else. */
  @Test
  void client_noTrustedProxy_headersIgnored() {
    assertThat(direct.client("203.0.113.9", "198.51.100.1", "198.51.100.2")).isEqualTo("203.0.113.9");
  }

  /** Verifies that a peer outside the trusted proxies is the client, whatever it sends. */
  @Test
  void client_untrustedPeer_headersIgnored() {
    assertThat(behindFly.client("203.0.113.9", "198.51.100.1", "198.51.100.2")).isEqualTo("203.0.113.9");
  }

  /** Verifies that behind a trusted proxy Fly-Client-IP names the client. */
  @Test
  void client_trustedPeer_flyClientIp() {
    assertThat(behindFly.client("172.19.0.5", "198.51.100.1", "6.6.6.6, 198.51.100.7")).isEqualTo("198.51.100.1");
    assertThat(behindFly.client("fdaa:0:1::3", "2001:db8::1", null)).isEqualTo("2001:db8::1");
  }

  /**
   * Verifies that without Fly-Client-IP the rightmost X-Forwarded-For entry that is not a trusted
   * proxy is the client: entries left of it are the client's own word.
   */
  @Test
  void client_trustedPeer_rightmostUntrustedForwardedFor() {
    assertThat(behindFly.client("172.19.0.5", null, "6.6.6.6, 198.51.100.7, 172.20.0.1")).isEqualTo("198.51.100.7");
    assertThat(behindFly.client("172.19.0.5", "not an address", "198.51.100.7")).isEqualTo("198.51.100.7");
    // only proxies, or a malformed hop: the peer itself
    assertThat(behindFly.client("172.19.0.5", null, "172.20.0.1")).isEqualTo("172.19.0.5");
    assertThat(behindFly.client("172.19.0.5", null, "6.6.6.6, evil.example")).isEqualTo("172.19.0.5");
    assertThat(behindFly.client("172.19.0.5", null, null)).isEqualTo("172.19.0.5");
  }

  /** Verifies that IPv6 clients count by their /64 and IPv4 ones (also written IPv4-mapped) as they are. */
  @Test
  void counted_ipv6ByPrefix() {
    assertThat(ClientAddress.counted("2001:db8:1:2:aaaa::1")).isEqualTo(ClientAddress.counted("2001:db8:1:2:bbbb::9"));
    assertThat(ClientAddress.counted("2001:db8:1:2:aaaa::1")).isNotEqualTo(ClientAddress.counted("2001:db8:1:3::1"));
    assertThat(ClientAddress.counted("::ffff:198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(ClientAddress.counted("198.51.100.1")).isEqualTo("198.51.100.1");
    assertThat(ClientAddress.counted(null)).isEqualTo("unknown");
    assertThat(ClientAddress.counted("example.com")).isEqualTo("unknown");
  }

  /** Verifies the CIDR blocks of limits.trustedProxies: prefixes on byte and bit boundaries, both families, bad input refused. */
  @Test
  void cidr_containsAndRefuses() {
    assertThat(Cidr.parse("172.16.0.0/12").contains("172.31.255.255")).isTrue();
    assertThat(Cidr.parse("172.16.0.0/12").contains("172.32.0.0")).isFalse();
    assertThat(Cidr.parse("10.0.0.7").contains("10.0.0.7")).isTrue();
    assertThat(Cidr.parse("10.0.0.7").contains("10.0.0.8")).isFalse();
    assertThat(Cidr.parse("10.0.0.0/8").contains("::ffff:10.1.2.3")).isTrue();
    assertThat(Cidr.parse("fdaa::/16").contains("fdaa:0:1::3")).isTrue();
    assertThat(Cidr.parse("fdaa::/16").contains("fdab::1")).isFalse();
    assertThat(Cidr.parse("0.0.0.0/0").contains("8.8.8.8")).isTrue();
    assertThat(Cidr.parse("10.0.0.0/8").contains("fdaa::1")).isFalse();
    for (String bad : List.of("", "10.0.0.0/33", "300.1.1.1", "10.0.0", "host.example", "fdaa::/129", "1.2.3.4/x")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Cidr.parse(bad))
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
