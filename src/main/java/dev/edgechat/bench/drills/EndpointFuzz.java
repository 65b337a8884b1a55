package dev.edgechat.bench.drills;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fuzz of every public endpoint of the edge (visitor API, gateway, admin relay, widget, ops) over
 * raw sockets: random bytes, wrong JSON types, huge and deeply nested JSON, unicode edge cases
 * (invisible characters, lone surrogates as escapes and as raw bytes, overlong UTF-8), huge headers,
 * path traversal, malformed {@code Origin} headers, HTTP/1.0 (with SSE), HTTP/9.9, chunked bodies that
 * never end, wrong methods and media types, bad percent-encoding and bad header bytes. Counted: 5xx,
 * hangs (no whole answer, nor a close, within the request deadline), 4xx whose body is not the API's
 * JSON error, processes that died; afterwards a normal chat must be answered and kept. The cases come
 * from a seeded {@link Random}, so a run can be repeated.
 */
final class EndpointFuzz {

  /** An endpoint: method, path ({@code {id}} is replaced), a valid JSON body to mutate, and its auth. */
  private record Endpoint(String method, String path, String body, String auth) {
  }

  /** One request to send. */
  private record Case(String category, byte[] bytes, boolean unending) {
  }

  private static final List<Endpoint> ENDPOINTS = List.of(
      new Endpoint("POST", "/v1/chat", "{\"site\":\"demo\",\"message\":\"How do I reset my password?\"}", null),
      new Endpoint("GET", "/v1/chat/{id}/events", null, null),
      new Endpoint("GET", "/v1/conversations/{id}", null, null),
      new Endpoint("GET", "/v1/jobs/{id}", null, null),
      new Endpoint("GET", "/v1/ping", null, null),
      new Endpoint("POST", "/v1/chat/completions",
          "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}", "gateway"),
      new Endpoint("POST", "/v1/embeddings", "{\"model\":\"text-embedding-3-small\",\"input\":\"hello\"}", "gateway"),
      new Endpoint("GET", "/v1/models", null, "gateway"),
      new Endpoint("GET", "/v1/models/{id}", null, "gateway"),
      new Endpoint("PUT", "/admin/sites/{id}", "{\"name\":\"Fuzz\",\"allowedOrigins\":[\"*\"]}", "admin-wrong"),
      new Endpoint("POST", "/admin/sites/{id}/documents",
          "{\"documents\":[{\"title\":\"t\",\"text\":\"x\",\"freshness\":\"static\"}]}", "admin-wrong"),
      new Endpoint("GET", "/admin/sites/{id}/documents", null, "admin-wrong"),
      new Endpoint("DELETE", "/admin/sites/{id}/documents/{id}", null, "admin-wrong"),
      new Endpoint("POST", "/admin/sites/{id}/cache/purge", "{\"documents\":[\"a\"]}", "admin-wrong"),
      new Endpoint("GET", "/admin/jobs/{id}", null, "admin-wrong"),
      new Endpoint("GET", "/widget/edgechat.js", null, null),
      new Endpoint("GET", "/", null, null),
      new Endpoint("GET", "/healthz", null, null),
      new Endpoint("GET", "/readyz", null, null),
      new Endpoint("GET", "/metrics", null, null));

  private static final String[] INVISIBLE = {"\u200b", "\ufeff", "\u202e", "\u2060", "\u00ad", "\u200d", "\u180e",
      "\u061c", "\u3164", "\u2800"};
  private static final String[] BAD_ORIGINS = {"xxx", "https://", "file://", "chrome-extension://abc", "http://a b",
      "null", "http://[::1", "http://exa mple.com:99999", "://", "http://%zz", "https://a.example:-1",
      "javascript:alert(1)", "http://\u00e9.example", "*"};
  private static final String[] TRAVERSALS = {"/../../../../etc/passwd", "/widget/../../../../etc/passwd",
      "/widget/..%2f..%2f..%2f..%2fetc%2fpasswd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
      "/v1/conversations/..%2f..%2fadmin", "/widget/%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/v1/chat/..;/admin/jobs/x",
      "/widget/....//....//etc/passwd", "/v1/jobs/../../admin/jobs/x", "/widget/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
      "/v1/chat/%2e%2e/events"};
  private static final String[] BAD_PERCENT = {"%", "%zz", "%E0%A4%A", "%00", "%ff%fe", "%c0%af", "%%", "%u0041",
      "%ed%a0%80", "abc%", "%2", "%0d%0aX-Injected:%20yes"};
  private static final String[] METHODS = {"PATCH", "TRACE", "CONNECT", "FOO", "get", "PROPFIND", "DELETE", "PUT",
      "OPTIONS", "HEAD", "POST", "GET"};
  private static final String[] MEDIA_TYPES = {"text/plain", "application/xml", "multipart/form-data; boundary=x",
      "application/x-www-form-urlencoded", "application/json; charset=ebcdic", "application/json; charset=utf-16",
      "image/png", "*/*", "application/", ";;;", "application/json\u0000"};

  private final DrillRig rig;
  private final DrillPlan plan;
  private final Random random = new Random(17);
  private final Map<String, AtomicInteger> perCategory = new ConcurrentHashMap<>();
  private final Map<String, List<String>> samples = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> problems = new ConcurrentHashMap<>();
  private final AtomicInteger nonJson = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final AtomicInteger leaked = new AtomicInteger();
  private final AtomicLong slowest = new AtomicLong();

  private EndpointFuzz(DrillRig rig, DrillPlan plan) {
    this.rig = rig;
    this.plan = plan;
  }

  static DrillOutcome run(DrillRig rig, DrillPlan plan) throws InterruptedException {
    return new EndpointFuzz(rig, plan).fuzz();
  }

  private DrillOutcome fuzz() throws InterruptedException {
    DrillOutcome outcome = new DrillOutcome("fuzz (" + plan.fuzzRequests() + " requests, every public endpoint)");
    int port = rig.edge().port();
    List<Case> cases = new ArrayList<>();
    for (int i = 0; i < plan.fuzzRequests(); i++) {
      cases.add(next());
    }
    ExecutorService pool = Executors.newFixedThreadPool(plan.fuzzConcurrency());
    List<Future<?>> sent = new ArrayList<>();
    for (Case c : cases) {
      sent.add(pool.submit(() -> judge(outcome, c, RawExchange.send(port, c.bytes(), c.unending(),
          plan.requestDeadline()))));
    }
    for (Future<?> f : sent) {
      try {
        f.get();
      } catch (java.util.concurrent.ExecutionException e) {
        outcome.breach("the fuzz itself failed: " + e.getCause());
      }
    }
    pool.shutdown();
    boolean edgeAlive = rig.edge().alive();
    boolean originAlive = rig.origin().alive();
    if (!edgeAlive || !originAlive) {
      outcome.breach("crashed: " + (edgeAlive ? "" : "edge ") + (originAlive ? "" : "origin") + " died during the fuzz");
    }
    ChatCall.Result after = rig.chat("after-fuzz", plan.chatDeadline());
    boolean normal = after.answered() && ChatCall.kept(rig.edge().url(), after, Duration.ofSeconds(15));
    if (!normal) {
      outcome.breach("a normal chat after the fuzz was not answered and kept: " + after);
    }
    outcome.note("requests per category: " + new TreeMap<>(perCategory));
    outcome.note("closed without an answer (allowed where HTTP has no answer): " + closed.get()
        + "; slowest answer " + slowest.get() + " ms; a normal chat afterwards: " + (normal ? "answered" : after));
    new TreeMap<>(samples).forEach((key, list) -> outcome.note(problems.get(key) + " x " + key + ", e.g. "
        + String.join(" | ", list)));
    outcome.requireNone(outcome.serverErrors.get(), "answers with a 5xx status");
    outcome.requireNone(outcome.hangs.get(), "requests hung (no answer nor close within "
        + plan.requestDeadline().toSeconds() + " s)");
    outcome.requireNone(nonJson.get(), "4xx answers not in the API's JSON error shape");
    outcome.requireNone(leaked.get(), "answers that leaked a file outside the web root");
    return outcome;
  }

  private void judge(DrillOutcome outcome, Case c, RawExchange.Answer answer) {
    outcome.sent.incrementAndGet();
    perCategory.computeIfAbsent(c.category(), k -> new AtomicInteger()).incrementAndGet();
    slowest.accumulateAndGet(answer.millis(), Math::max);
    String request = describe(c);
    switch (answer.ending()) {
      case HUNG -> {
        outcome.hangs.incrementAndGet();
        outcome.failed.incrementAndGet();
        sample("hang", c.category(), request + (answer.status() > 0 ? " (status " + answer.status()
            + " sent, body never ended)" : ""));
      }
      case CLOSED -> closed.incrementAndGet();
      case REFUSED -> {
        outcome.failed.incrementAndGet();
        sample("refused", c.category(), request + " " + answer.body());
      }
      case ANSWERED -> {
        int status = answer.status();
        if (status >= 500 || status == 0) {
          outcome.serverErrors.incrementAndGet();
          outcome.failed.incrementAndGet();
          sample("5xx", c.category(), request + " -> " + status + " " + ChatCall.abbreviate(answer.body()));
        } else if (status >= 400 && !isHead(c) && !jsonError(answer.body())) {
          nonJson.incrementAndGet();
          outcome.failed.incrementAndGet();
          sample("non-JSON 4xx", c.category(), request + " -> " + status + " '"
              + ChatCall.abbreviate(answer.body()) + "'");
        }
        if (answer.body().contains("root:x:0:0")) {
          leaked.incrementAndGet();
          sample("leak", c.category(), request);
        }
      }
      default -> {
      }
    }
  }

  /** Counts a problem of {@code kind} in {@code category} and keeps the first three requests of each as samples. */
  private void sample(String kind, String category, String what) {
    String key = kind + " in '" + category + "'";
    problems.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    List<String> list = samples.computeIfAbsent(key, k -> java.util.Collections.synchronizedList(new ArrayList<>()));
    if (list.size() < 3) {
      list.add(what);
    }
  }

  private static boolean isHead(Case c) {
    return new String(c.bytes(), 0, Math.min(5, c.bytes().length), StandardCharsets.ISO_8859_1).equals("HEAD ");
  }

  /** The API's error shape, {@code {"error":{"code","message"}}}, or the gateway's (OpenAI's: {@code message}, {@code type}). */
  static boolean jsonError(String body) {
    try {
      JsonObject error = new JsonObject(body).getJsonObject("error");
      return error != null && error.getValue("message") instanceof String
          && (error.getValue("code") instanceof String || error.getValue("type") instanceof String);
    } catch (DecodeException | ClassCastException e) {
      return false;
    }
  }

  /** The request line and first header lines, printable, for a sample. */
  private static String describe(Case c) {
    String text = new String(c.bytes(), 0, Math.min(c.bytes().length, 110), StandardCharsets.ISO_8859_1);
    StringBuilder out = new StringBuilder();
    for (char ch : text.toCharArray()) {
      if (ch == '\r') {
        out.append("\\r");
      } else if (ch == '\n') {
        out.append("\\n");
      } else if (ch < 0x20 || ch > 0x7e) {
        out.append(String.format("\\x%02x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    return out + (c.bytes().length > 110 ? "… (" + c.bytes().length + " bytes)" : "");
  }

  // ---- the cases ----

  private Case next() {
    int roll = random.nextInt(100);
    if (roll < 4) {
      return new Case("random bytes", randomBytes(1 + random.nextInt(3000)), false);
    } else if (roll < 12) {
      Endpoint e = endpoint();
      return request("random body", e.method().equals("GET") ? "POST" : e.method(), path(e), headers(e, "application/json"),
          randomBytes(random.nextInt(2000)), "1.1");
    } else if (roll < 26) {
      Endpoint e = bodied();
      return request("wrong types", e.method(), path(e), headers(e, "application/json"), utf8(wrongTypes(e)), "1.1");
    } else if (roll < 30) {
      Endpoint e = bodied();
      return request("huge JSON", e.method(), path(e), headers(e, "application/json"), utf8(huge(e)), "1.1");
    } else if (roll < 35) {
      Endpoint e = bodied();
      return request("deeply nested JSON", e.method(), path(e), headers(e, "application/json"), deep(), "1.1");
    } else if (roll < 43) {
      return unicode();
    } else if (roll < 46) {
      return hugeHeaders();
    } else if (roll < 53) {
      String path = TRAVERSALS[random.nextInt(TRAVERSALS.length)];
      return request("path traversal", "GET", path, "", new byte[0], "1.1");
    } else if (roll < 61) {
      return badOrigin();
    } else if (roll < 66) {
      return http10();
    } else if (roll < 68) {
      Endpoint e = endpoints(true);
      String head = e.method() + " " + path(e) + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + auth(e) + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
      return new Case("unending chunked body", head.getBytes(StandardCharsets.ISO_8859_1), true);
    } else if (roll < 74) {
      Endpoint e = endpoint();
      String method = METHODS[random.nextInt(METHODS.length)];
      return request("wrong method", method, path(e), headers(e, "application/json"),
          e.body() == null ? new byte[0] : utf8(e.body()), "1.1");
    } else if (roll < 80) {
      Endpoint e = bodied();
      String type = MEDIA_TYPES[random.nextInt(MEDIA_TYPES.length)];
      String headers = random.nextInt(5) == 0 ? auth(e) : headers(e, type);
      return request("wrong media type", e.method(), path(e), headers, utf8(e.body()), "1.1");
    } else if (roll < 86) {
      Endpoint e = withId();
      String bad = BAD_PERCENT[random.nextInt(BAD_PERCENT.length)];
      return request("bad percent-encoding", e.method(), e.path().replaceFirst("\\{id}", bad).replace("{id}", "x"),
          auth(e), new byte[0], "1.1");
    } else if (roll < 92) {
      return badProtocol();
    } else {
      Endpoint e = ENDPOINTS.get(5 + random.nextInt(2));
      return request("gateway with a key", e.method(), e.path(), headers(e, "application/json"),
          utf8(random.nextBoolean() ? wrongTypes(e) : huge(e)), "1.1");
    }
  }

  private Endpoint endpoint() {
    return ENDPOINTS.get(random.nextInt(ENDPOINTS.size()));
  }

  private Endpoint endpoints(boolean bodied) {
    return bodied ? bodied() : endpoint();
  }

  private Endpoint bodied() {
    List<Endpoint> withBody = ENDPOINTS.stream().filter(e -> e.body() != null).toList();
    return withBody.get(random.nextInt(withBody.size()));
  }

  private Endpoint withId() {
    List<Endpoint> withId = ENDPOINTS.stream().filter(e -> e.path().contains("{id}")).toList();
    return withId.get(random.nextInt(withId.size()));
  }

  private String path(Endpoint e) {
    return e.path().replace("{id}", random.nextBoolean() ? "fuzz" + random.nextInt(1000) : "AbCdEf0123456789xyzw");
  }

  private String auth(Endpoint e) {
    if ("gateway".equals(e.auth())) {
      return random.nextInt(4) == 0 ? "Authorization: Bearer wrong\r\n" : "Authorization: Bearer " + DrillRig.GATEWAY_KEY
          + "\r\n";
    }
    if ("admin-wrong".equals(e.auth())) {
      return random.nextBoolean() ? "Authorization: Bearer not-the-admin-token\r\n" : "";
    }
    return "";
  }

  private String headers(Endpoint e, String contentType) {
    return "Content-Type: " + contentType + "\r\n" + auth(e);
  }

  private Case request(String category, String method, String path, String headers, byte[] body, String version) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String head = method + " " + path + " HTTP/" + version + "\r\nHost: 127.0.0.1\r\n" + headers
        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(body);
    return new Case(category, out.toByteArray(), false);
  }

  private byte[] randomBytes(int n) {
    byte[] bytes = new byte[n];
    random.nextBytes(bytes);
    return bytes;
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Object oddValue() {
    return switch (random.nextInt(9)) {
      case 0 -> random.nextLong();
      case 1 -> random.nextDouble() * 1e308;
      case 2 -> new io.vertx.core.json.JsonArray().add(1).add("two").addNull();
      case 3 -> new JsonObject().put("nested", true);
      case 4 -> null;
      case 5 -> random.nextBoolean();
      case 6 -> "";
      case 7 -> "x".repeat(random.nextInt(70_000));
      default -> "\u0000\u0001\u001f";
    };
  }

  private String wrongTypes(Endpoint e) {
    JsonObject body = new JsonObject(e.body());
    List<String> fields = new ArrayList<>(body.fieldNames());
    int changes = 1 + random.nextInt(fields.size());
    for (int i = 0; i < changes; i++) {
      String field = fields.get(random.nextInt(fields.size()));
      if (random.nextInt(6) == 0) {
        body.remove(field);
      } else {
        body.put(field, oddValue());
      }
    }
    if (random.nextInt(4) == 0) {
      body.put("unexpected" + random.nextInt(10), oddValue());
    }
    String text = body.encode();
    return switch (random.nextInt(8)) {
      case 0 -> text.substring(0, random.nextInt(text.length()));
      case 1 -> "[" + text + "]";
      case 2 -> text + text;
      case 3 -> "\"" + text.replace("\"", "\\\"") + "\"";
      default -> text;
    };
  }

  private String huge(Endpoint e) {
    JsonObject body = new JsonObject(e.body());
    String field = body.fieldNames().iterator().next();
    int size = random.nextBoolean() ? 60_000 : 200_000 + random.nextInt(800_000);
    if (random.nextBoolean()) {
      body.put(field, "a".repeat(size));
    } else {
      io.vertx.core.json.JsonArray many = new io.vertx.core.json.JsonArray();
      for (int i = 0; i < size / 8; i++) {
        many.add(i);
      }
      body.put(field, many);
    }
    return body.encode();
  }

  private byte[] deep() {
    int depth = 500 + random.nextInt(50_000);
    StringBuilder json = new StringBuilder();
    boolean arrays = random.nextBoolean();
    if (random.nextBoolean()) {
      json.append("{\"site\":\"demo\",\"message\":");
    }
    for (int i = 0; i < depth; i++) {
      json.append(arrays ? "[" : "{\"a\":");
    }
    json.append("1");
    for (int i = 0; i < depth; i++) {
      json.append(arrays ? "]" : "}");
    }
    if (json.charAt(0) == '{' && json.toString().startsWith("{\"site\"")) {
      json.append('}');
    }
    return utf8(json.toString());
  }

  /** A chat (or a path) whose text is a unicode edge case. */
  private Case unicode() {
    int kind = random.nextInt(8);
    String message;
    byte[] rawMessage = null;
    switch (kind) {
      case 0 -> message = INVISIBLE[random.nextInt(INVISIBLE.length)].repeat(1 + random.nextInt(5));
      case 1 -> message = "\\ud800";
      case 2 -> message = "where is my order \\udc00 \\ud83d";
      case 3 -> {
        message = null;
        // a lone surrogate and an overlong slash as raw bytes: not UTF-8 at all
        rawMessage = new byte[] {'h', 'i', ' ', (byte) 0xED, (byte) 0xA0, (byte) 0x80, ' ', (byte) 0xC0, (byte) 0xAF,
            (byte) 0xFF};
      }
      case 4 -> message = "e\u0301".repeat(2000);
      case 5 -> message = "\u0000 reset \\u0000 password";
      case 6 -> message = "\ud83d\ude00\u200d\ud83d\udc68\u200d\ud83d\udc69 \u202e order \u202c status";
      default -> message = "\u2028\u2029\u000b" + INVISIBLE[random.nextInt(INVISIBLE.length)];
    }
    if (random.nextInt(4) == 0 && rawMessage == null) {
      // in a path instead of a body
      String path = "/v1/conversations/" + java.net.URLEncoder.encode(message.replace("\\u", "u"), StandardCharsets.UTF_8);
      return request("unicode edge cases", "GET", path, "", new byte[0], "1.1");
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(utf8("{\"site\":\"demo\",\"message\":\""));
    if (rawMessage != null) {
      body.writeBytes(rawMessage);
    } else {
      // escapes as written (\\ud800 is JSON's lone surrogate); other characters as UTF-8
      body.writeBytes(utf8(message.replace("\u0000", "\\u0000").replace("\u000b", "\\u000b")));
    }
    body.writeBytes(utf8("\"}"));
    String accept = random.nextBoolean() ? "Accept: text/event-stream\r\n" : "";
    return request("unicode edge cases", "POST", "/v1/chat", "Content-Type: application/json\r\n" + accept,
        body.toByteArray(), "1.1");
  }

  private Case hugeHeaders() {
    Endpoint e = endpoint();
    StringBuilder headers = new StringBuilder();
    switch (random.nextInt(3)) {
      case 0 -> headers.append("X-Huge: ").append("h".repeat(8_000 + random.nextInt(200_000))).append("\r\n");
      case 1 -> {
        for (int i = 0; i < 2000; i++) {
          headers.append("X-Many-").append(i).append(": v\r\n");
        }
      }
      default -> headers.append("Cookie: ").append("c=1; ".repeat(20_000)).append("\r\n");
    }
    String path = random.nextBoolean() ? path(e) : "/v1/ping?" + "q".repeat(10_000 + random.nextInt(100_000));
    return request("huge headers or URL", "GET", path, headers.toString(), new byte[0], "1.1");
  }

  private Case badOrigin() {
    String origin = BAD_ORIGINS[random.nextInt(BAD_ORIGINS.length)];
    if (random.nextInt(6) == 0) {
      origin = "http://" + "o".repeat(10_000) + ".example";
    }
    byte[] originBytes = origin.getBytes(StandardCharsets.UTF_8);
    String originHeader = new String(originBytes, StandardCharsets.ISO_8859_1);
    int which = random.nextInt(4);
    if (which == 0) {
      return request("malformed Origin", "OPTIONS", "/v1/chat", "Origin: " + originHeader
          + "\r\nAccess-Control-Request-Method: POST\r\n", new byte[0], "1.1");
    }
    if (which == 1) {
      return request("malformed Origin", "GET", "/v1/ping", "Origin: " + originHeader + "\r\n", new byte[0], "1.1");
    }
    Endpoint e = ENDPOINTS.get(0);
    String headers = "Content-Type: application/json\r\nOrigin: " + originHeader + "\r\n"
        + (random.nextBoolean() ? "X-Edgechat-Embedder: " + originHeader + "\r\n" : "");
    return request("malformed Origin", e.method(), e.path(), headers,
        utf8("{\"site\":\"demo\",\"message\":\"How long do refunds take?\"}"), "1.1");
  }

  private Case http10() {
    return switch (random.nextInt(5)) {
      case 0 -> request("HTTP/1.0", "POST", "/v1/chat", "Content-Type: application/json\r\nAccept: text/event-stream\r\n",
          utf8("{\"site\":\"demo\",\"message\":\"How do I reset my password (1.0 stream " + random.nextInt(1_000_000)
              + ")?\"}"), "1.0");
      case 1 -> request("HTTP/1.0", "GET", "/v1/chat/AbCdEf0123456789xyzw/events", "Last-Event-ID: 1\r\n", new byte[0],
          "1.0");
      case 2 -> request("HTTP/1.0", "POST", "/v1/chat", "Content-Type: application/json\r\n",
          utf8("{\"site\":\"demo\",\"message\":\"Do you ship abroad?\"}"), "1.0");
      case 3 -> new Case("HTTP/1.0", "GET /v1/ping HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
      default -> new Case("HTTP/1.0", "GET /v1/ping\r\n\r\n".getBytes(StandardCharsets.US_ASCII), false);
    };
  }

  private Case badProtocol() {
    String[] raw = {
        "GET /v1/ping HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nX-Bytes: \u0001\u007f\u00ff\r\n\r\n",
        "GET /v1/ping HTTP/1.1\nHost: x\n\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n",
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n{}",
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n{}",
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 9\r\n\r\n{}",
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        "GET http://evil.example/v1/ping HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET * HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET  /v1/ping  HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
        "GET /v1/ping?\u0000 HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\n X-Folded: continued\r\n\r\n",
        "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003",
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n",
        "GET /v1/ping HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: x\r\nSec-WebSocket-Version: 13\r\n\r\n",
        "POST /v1/chat HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 60000000\r\n\r\n",
    };
    String text = raw[random.nextInt(raw.length)];
    // a closing request: the reader needs an end
    return new Case("bad protocol", text.getBytes(StandardCharsets.ISO_8859_1), false);
  }
}
