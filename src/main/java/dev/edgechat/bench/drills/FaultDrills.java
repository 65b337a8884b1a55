package dev.edgechat.bench.drills;

import dev.edgechat.topology.DelayProxy;
import dev.edgechat.topology.RoleProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The drills that break a part of the system under load and count what the clients saw: Redis and
 * the queue Redis cut off, origin and worker killed, upstream faults, clients that leave, and
 * SIGTERM for each role. Each states its contract (docs/reliability.md) as breaches of its outcome.
 */
final class FaultDrills {

  private static final Duration SERVE_AGAIN = Duration.ofMinutes(3);
  /** The visitor limit of the limits drill's own site: chats a minute. */
  private static final int VISITOR_LIMIT = 3;
  private final DrillRig rig;
  private final DrillPlan plan;
  private final ExecutorService clients = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "drill-client");
    thread.setDaemon(true);
    return thread;
  });

  /** Counted down as each chat of the running {@link #chats} streams its first token (or ends). */
  private volatile java.util.concurrent.CountDownLatch streaming = new java.util.concurrent.CountDownLatch(0);

  FaultDrills(DrillRig rig, DrillPlan plan) {
    this.rig = rig;
    this.plan = plan;
  }

  /** Both cache Redis (the edge's region and origin's) cut off while chats run; chats must not notice. */
  DrillOutcome cacheRedisDown() {
    DrillOutcome outcome = new DrillOutcome("cache Redis down");
    List<DelayProxy> cut = List.of(rig.topology().redisProxy(DrillRig.REGION),
        rig.topology().redisProxy(rig.topology().settings().primaryRegion()));
    cut.forEach(proxy -> proxy.cut(true));
    List<ChatCall.Result> results;
    try {
      ChatCall.sleep(500);
      results = chats(outcome, "cache-redis", plan.chats(), 3, () -> { });
    } finally {
      cut.forEach(proxy -> proxy.cut(false));
    }
    countKept(outcome, results);
    recover(outcome, Optional.empty());
    outcome.requireNone(outcome.failed.get(), "chats failed while the cache Redis was down (the cache is optional)");
    requireNoServerErrorsHangsLoss(outcome);
    return outcome;
  }

  /**
   * The visitor limit (issue 17): one visitor of a site whose limit is {@value #VISITOR_LIMIT} chats a
   * minute asks until refused; the refusal must be 429 {@code rate_limited} with {@code Retry-After},
   * within two windows' worth of chats (the window may turn mid-way). Then the region's cache Redis,
   * where the limits are counted, is cut off: the same visitor's chats must all be answered (the
   * limits fail open).
   */
  DrillOutcome visitorLimits() throws IOException {
    DrillOutcome outcome = new DrillOutcome("visitor over the limit, then Redis down");
    String site = "drill-limits-" + Long.toString(System.nanoTime(), 36);
    HttpResponse<String> put = rig.admin(rig.origin().url(), "PUT", "/admin/sites/" + site, new JsonObject()
        .put("name", "Drill limits").put("allowedOrigins", new JsonArray().add("*"))
        .put("limits", new JsonObject().put("visitorChatsPerMinute", VISITOR_LIMIT)));
    if (put.statusCode() != 200) {
      throw new IllegalStateException("could not create site " + site + ": " + put.statusCode() + " " + put.body());
    }
    // the edge learns the site's limit from origin's change feed
    ChatCall.sleep(1_000);
    String visitor = "drill-visitor-" + Long.toString(System.nanoTime(), 36);
    String question = rig.question("limits");
    HttpResponse<String> refused = null;
    int answered = 0;
    for (int i = 0; i < 2 * VISITOR_LIMIT + 2 && refused == null; i++) {
      HttpResponse<String> chat = send(outcome, () -> visitorChat(site, visitor, question));
      if (chat == null) {
        continue;
      }
      if (chat.statusCode() == 429) {
        refused = chat;
      } else if (chat.statusCode() == 200) {
        answered++;
      } else {
        outcome.failed.incrementAndGet();
        outcome.breach("a chat under the limit got " + chat.statusCode() + " " + ChatCall.abbreviate(chat.body()));
      }
    }
    if (refused == null) {
      outcome.breach("no 429 after " + (2 * VISITOR_LIMIT + 2) + " chats of one visitor (limit " + VISITOR_LIMIT
          + " a minute)");
    } else {
      String retryAfter = refused.headers().firstValue("Retry-After").orElse("");
      String code = EndpointFuzz.jsonError(refused.body())
          ? new JsonObject(refused.body()).getJsonObject("error").getString("code") : "";
      if (!retryAfter.matches("[1-9][0-9]*") || !"rate_limited".equals(code)) {
        outcome.breach("the refusal was not 429 rate_limited with Retry-After: Retry-After '" + retryAfter + "', "
            + ChatCall.abbreviate(refused.body()));
      }
      outcome.note("one visitor, limit " + VISITOR_LIMIT + " a minute: " + answered + " answered, then 429 "
          + code + " with Retry-After " + retryAfter + " s");
    }
    DelayProxy redis = rig.topology().redisProxy(DrillRig.REGION);
    redis.cut(true);
    int open = 0;
    try {
      ChatCall.sleep(500);
      for (int i = 0; i < VISITOR_LIMIT + 1; i++) {
        HttpResponse<String> chat = send(outcome, () -> visitorChat(site, visitor, rig.question("limits")));
        if (chat != null && chat.statusCode() == 200) {
          open++;
        } else if (chat != null) {
          outcome.breach("with the cache Redis down a chat of the visitor got " + chat.statusCode() + " "
              + ChatCall.abbreviate(chat.body()) + " (want it answered: the limits fail open)");
        }
      }
    } finally {
      redis.cut(false);
    }
    outcome.note("429 counted in 'failed' (the refusal the drill asks for)");
    outcome.note("cache Redis down: " + open + " of " + (VISITOR_LIMIT + 1) + " chats of the same visitor answered");
    if (open < VISITOR_LIMIT + 1) {
      outcome.breach("with the cache Redis down only " + open + " of " + (VISITOR_LIMIT + 1)
          + " chats of the visitor were answered (the limits fail open)");
    }
    recover(outcome, Optional.empty());
    requireNoServerErrorsHangsLoss(outcome);
    return outcome;
  }

  /** A visitor's chat, answered as one JSON document. */
  private HttpResponse<String> visitorChat(String site, String visitor, String question) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(rig.edge().url().resolve("/v1/chat")).timeout(plan.chatDeadline())
        .header("Content-Type", "application/json").header("Accept", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("site", site).put("message", question)
            .put("visitor", visitor).encode()))
        .build();
    try {
      return ChatCall.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * The queue Redis cut off while documents are uploaded and asynchronous chats asked: each request
   * is accepted (202) or refused as retryable (503 with Retry-After), never a 502; what was accepted
   * is done once the queue is back.
   */
  DrillOutcome queueRedisDown() throws IOException {
    DrillOutcome outcome = new DrillOutcome("queue Redis down");
    String site = "drill-queue-" + Long.toString(System.nanoTime(), 36);
    rig.createSite(site);
    DelayProxy queue = rig.topology().redisProxy("queue");
    List<String> acceptedDocuments = new ArrayList<>();
    List<String> acceptedJobs = new ArrayList<>();
    Map<String, Integer> wrong = new LinkedHashMap<>();
    queue.cut(true);
    long healed;
    try {
      ChatCall.sleep(500);
      for (int i = 0; i < plan.documents(); i++) {
        String id = "q" + i;
        HttpResponse<String> posted = send(outcome, () -> rig.admin(rig.edge().url(), "POST",
            "/admin/sites/" + site + "/documents",
            new JsonObject().put("documents", new JsonArray().add(DrillRig.document(id, 3)))));
        if (posted != null && posted.statusCode() == 202) {
          acceptedDocuments.add(id);
        }
        judgeRefusal(wrong, "POST /admin/sites/{site}/documents", posted);
      }
      for (int i = 0; i < plan.chats(); i++) {
        String question = rig.question("queue");
        HttpResponse<String> asked = send(outcome, () -> asyncChat(rig.edge().url(), question));
        if (asked != null && asked.statusCode() == 202) {
          acceptedJobs.add(new JsonObject(asked.body()).getString("job"));
        }
        judgeRefusal(wrong, "POST /v1/chat (Prefer: respond-async)", asked);
      }
    } finally {
      queue.cut(false);
      healed = System.nanoTime();
    }
    wrong.forEach((answer, times) -> outcome.breach(times + " x " + answer + " (want 202, or 503 with Retry-After)"));
    // every document origin stored counts, whatever it answered: a stored one is accepted data
    java.util.Set<String> stored = new java.util.LinkedHashSet<>(acceptedDocuments);
    stored.addAll(rig.documentStatuses(site).keySet());
    List<String> notIndexed = rig.awaitIndexed(site, stored, plan.indexLimit());
    List<String> unfinished = awaitJobs(acceptedJobs, plan.indexLimit());
    outcome.lost.addAndGet(notIndexed.size() + unfinished.size());
    if (notIndexed.isEmpty() && unfinished.isEmpty()) {
      outcome.recovered(Duration.ofNanos(System.nanoTime() - healed));
    }
    outcome.note(acceptedDocuments.size() + " of " + plan.documents() + " document uploads and " + acceptedJobs.size()
        + " of " + plan.chats() + " asynchronous chats accepted (202) during the outage; " + stored.size()
        + " documents stored");
    if (!notIndexed.isEmpty()) {
      outcome.breach(notIndexed.size() + " stored documents (" + notIndexed.stream().filter(acceptedDocuments::contains)
          .count() + " of them answered 202) not indexed within " + plan.indexLimit().toSeconds()
          + " s of the queue's return: " + rig.documentStatuses(site));
    }
    if (!unfinished.isEmpty()) {
      outcome.breach(unfinished.size() + " accepted asynchronous chats not completed within "
          + plan.indexLimit().toSeconds() + " s of the queue's return");
    }
    outcome.requireNone(outcome.hangs.get(), "requests hung");
    recover(outcome, Optional.empty());
    return outcome;
  }

  /**
   * A refusal while a dependency is out must be 503 with Retry-After (nothing accepted), never another
   * 5xx; the others are counted in {@code wrong} by call and answer, one breach each at the end.
   */
  private static void judgeRefusal(Map<String, Integer> wrong, String call, HttpResponse<String> response) {
    if (response == null || response.statusCode() < 500) {
      return;
    }
    boolean retryable = response.statusCode() == 503 && response.headers().firstValue("Retry-After").isPresent();
    if (!retryable) {
      wrong.merge(call + " answered " + response.statusCode() + " " + ChatCall.abbreviate(response.body()), 1,
          Integer::sum);
    }
  }

  /** Origin killed (SIGKILL) with streams in flight: they end at once with an error; nothing answered is lost. */
  DrillOutcome originKilled() {
    DrillOutcome outcome = new DrillOutcome("origin killed mid-stream");
    long[] killedAt = new long[1];
    List<ChatCall.Result> results = chats(outcome, "origin-kill", plan.chats(), plan.chats(), () -> {
      awaitStreaming();
      killedAt[0] = System.nanoTime();
      rig.origin().kill();
    });
    long ended = System.nanoTime();
    outcome.note("streams ended " + (ended - killedAt[0]) / 1_000_000 + " ms after the kill (the last of them); "
        + results.stream().filter(r -> r.ending() == ChatCall.Ending.ERROR_EVENT).count() + " with an error event");
    // new questions while origin is down: a clear JSON 5xx (upstream_unavailable), never a hang
    for (int i = 0; i < 3; i++) {
      ChatCall.Result down = rig.chat("origin-down", plan.chatDeadline());
      outcome.sent.incrementAndGet();
      tally(outcome, down);
      outcome.note("a chat while origin was down: " + down);
    }
    long restarted = System.nanoTime();
    rig.restart("origin");
    countKept(outcome, results);
    recover(outcome, Optional.of(restarted));
    requireNoHangsLoss(outcome);
    return outcome;
  }

  /** A share of upstream calls fail with {@code kind}; chats must still be answered (retry before the first token). */
  DrillOutcome upstreamFault(String kind, double share) {
    DrillOutcome outcome = new DrillOutcome("upstream " + kind + " (" + Math.round(share * 100) + " %)");
    FaultForwarder forwarder = rig.forwarder();
    long callsBefore = forwarder.chatCalls();
    long faultedBefore = forwarder.faulted();
    forwarder.inject(kind, share);
    List<ChatCall.Result> results;
    try {
      results = chats(outcome, "upstream-" + kind, plan.chats(), 5, () -> { });
    } finally {
      forwarder.heal();
    }
    countKept(outcome, results);
    outcome.note((forwarder.chatCalls() - callsBefore) + " upstream calls, " + (forwarder.faulted() - faultedBefore)
        + " of them faulted; slowest chat " + results.stream().mapToLong(ChatCall.Result::millis).max().orElse(0)
        + " ms");
    results.stream().filter(r -> !r.answered()).limit(3).forEach(r -> outcome.note("failed chat: " + r));
    if (kind.equals("500") || kind.equals("429")) {
      // the bar: at 30 % upstream errors, at least 29 of 30 chats answered
      int allowed = plan.chats() / 30;
      if (outcome.failed.get() > allowed) {
        outcome.breach(outcome.failed.get() + " of " + plan.chats() + " chats failed (at most " + allowed
            + " may: the chat path retries before the first token)");
      }
    }
    requireNoServerErrorsHangsLoss(outcome);
    recover(outcome, Optional.empty());
    return outcome;
  }

  /** Clients that close the stream after the first token: origin must cancel the upstream call. */
  DrillOutcome clientLeaves() {
    DrillOutcome outcome = new DrillOutcome("client leaves mid-stream");
    long before = simCancelled();
    int left = 0;
    for (int i = 0; i < plan.chats(); i++) {
      outcome.sent.incrementAndGet();
      if (leaveAfterFirstToken(rig.edge().port(), rig.question("leave"), plan.chatDeadline())) {
        left++;
      } else {
        outcome.hangs.incrementAndGet();
      }
    }
    // the sim, origin's upstream, counts each stream whose caller went away before its end
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (simCancelled() - before < left && System.nanoTime() < deadline) {
      ChatCall.sleep(200);
    }
    long cancelled = simCancelled() - before;
    outcome.failed.addAndGet((int) Math.max(0, left - cancelled));
    outcome.note(left + " clients left after their first token; the sim saw " + cancelled
        + " of its streams cancelled within 10 s");
    outcome.requireNone(outcome.failed.get(), "upstream calls went on after their client left");
    outcome.requireNone(outcome.hangs.get(), "streams sent no token before the deadline");
    recover(outcome, Optional.empty());
    return outcome;
  }

  /** The sim's own count of streams whose caller went away ({@code GET /sim/stats} {@code cancelled}); -1 when it cannot be read. */
  private long simCancelled() {
    try {
      HttpResponse<String> stats = ChatCall.HTTP.send(HttpRequest.newBuilder(rig.topology().sim().orElseThrow().url()
          .resolve("/sim/stats")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      return new JsonObject(stats.body()).getLong("cancelled", -1L);
    } catch (IOException | RuntimeException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Sends a streamed chat over a socket, reads until the first token event, and closes the socket. */
  private static boolean leaveAfterFirstToken(int port, String question, Duration deadline) {
    byte[] body = new JsonObject().put("site", DrillRig.SITE).put("message", question).encode()
        .getBytes(StandardCharsets.UTF_8);
    String head = "POST /v1/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + "Accept: text/event-stream\r\nContent-Length: " + body.length + "\r\n\r\n";
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      socket.setSoTimeout((int) deadline.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder seen = new StringBuilder();
      byte[] buffer = new byte[1024];
      int n;
      while ((n = in.read(buffer)) != -1) {
        seen.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        if (seen.indexOf("event: token") >= 0 || seen.indexOf("event:token") >= 0) {
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /** The worker killed (SIGKILL) right after documents were accepted: once it is back, every one is indexed. */
  DrillOutcome workerKilled() throws IOException {
    DrillOutcome outcome = new DrillOutcome("worker killed mid-job");
    return ingestionAcross(outcome, "worker-kill", () -> rig.worker().kill());
  }

  /** The worker stopped (SIGTERM) right after documents were accepted: it finishes or hands back its jobs. */
  DrillOutcome workerTerminated() throws IOException {
    DrillOutcome outcome = new DrillOutcome("SIGTERM worker");
    return ingestionAcross(outcome, "worker-term", () -> rig.worker().stop(Duration.ofSeconds(40)));
  }

  private DrillOutcome ingestionAcross(DrillOutcome outcome, String drill, Runnable fault) throws IOException {
    String site = "drill-" + drill + "-" + Long.toString(System.nanoTime(), 36);
    rig.createSite(site);
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < plan.documents(); i++) {
      String id = "w" + i;
      HttpResponse<String> posted = send(outcome, () -> rig.admin(rig.edge().url(), "POST",
          "/admin/sites/" + site + "/documents",
          new JsonObject().put("documents", new JsonArray().add(DrillRig.document(id, 40)))));
      if (posted != null && posted.statusCode() == 202) {
        accepted.add(id);
      } else {
        outcome.failed.incrementAndGet();
      }
    }
    long before = rig.documentStatuses(site).values().stream().filter("ready"::equals).count();
    fault.run();
    outcome.note(before + " of " + accepted.size() + " documents were indexed when the worker went");
    long restarted = System.nanoTime();
    rig.restart("worker");
    List<String> missing = rig.awaitIndexed(site, accepted, plan.indexLimit());
    outcome.lost.addAndGet(missing.size());
    if (missing.isEmpty()) {
      outcome.recovered(Duration.ofNanos(System.nanoTime() - restarted));
    } else {
      outcome.breach(missing.size() + " accepted documents not indexed within " + plan.indexLimit().toSeconds()
          + " s of the worker's restart: " + missing + " " + rig.documentStatuses(site));
    }
    requireNoServerErrorsHangsLoss(outcome);
    return outcome;
  }

  /** SIGTERM to the edge or origin with streams in flight: every stream ends with its answer, which is kept. */
  DrillOutcome terminated(String role) {
    DrillOutcome outcome = new DrillOutcome("SIGTERM " + role);
    int[] exit = new int[1];
    List<ChatCall.Result> results = chats(outcome, "term-" + role, plan.chats(), plan.chats(), () -> {
      awaitStreaming();
      exit[0] = rig.role(role).stop(Duration.ofSeconds(40));
    });
    outcome.note(role + " exited with " + exit[0] + (exit[0] == -1 ? " (killed after 40 s)" : ""));
    results.stream().filter(r -> !r.answered()).limit(3).forEach(r -> outcome.note("failed chat: " + r));
    long restarted = System.nanoTime();
    rig.restart(role);
    countKept(outcome, results);
    outcome.requireNone(outcome.failed.get(), "streams in flight did not end with their answer (drain)");
    requireNoServerErrorsHangsLoss(outcome);
    recover(outcome, Optional.of(restarted));
    return outcome;
  }

  /**
   * Role {@code all} (embedded Postgres and Redis) with streams in flight gets SIGTERM: each stream
   * ends with its answer, and after a restart on the same data each conversation holds it.
   */
  DrillOutcome terminatedAll(Path dir) {
    DrillOutcome outcome = new DrillOutcome("SIGTERM all");
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("EDGECHAT_DATA_DIR", dir.resolve("data").toString());
    env.put("EDGECHAT_LLM_BASE_URL", "http://127.0.0.1:" + rig.forwarder().port() + "/v1");
    env.put("EDGECHAT_LLM_API_KEY", "sim");
    env.put("EDGECHAT_HTTP_PORT", String.valueOf(port));
    env.put("EDGECHAT_HTTP_HOST", "127.0.0.1");
    env.put("EDGECHAT_CACHE_SEMANTIC", "false");
    RoleProcess all = rig.launchExtra("all", port, env, dir);
    all.awaitReady(Duration.ofMinutes(4));
    URI url = all.url();
    List<ChatCall.Result> results = new ArrayList<>();
    List<CompletableFuture<ChatCall.Result>> streams = new ArrayList<>();
    streaming = new java.util.concurrent.CountDownLatch(plan.chats());
    java.util.concurrent.CountDownLatch tokens = streaming;
    for (int i = 0; i < plan.chats(); i++) {
      String question = rig.question("term-all");
      streams.add(CompletableFuture.supplyAsync(() -> ChatCall.ask(url, DrillRig.SITE, question, plan.chatDeadline(),
          tokens), clients));
    }
    awaitStreaming();
    try {
      // the whole process group, as an orchestrator's stop reaches it
      new ProcessBuilder("kill", "-TERM", "--", "-" + all.pid()).inheritIO().start().waitFor();
    } catch (IOException e) {
      all.stop(Duration.ofSeconds(40));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    streams.forEach(s -> results.add(s.join()));
    long waitUntil = System.nanoTime() + Duration.ofSeconds(40).toNanos();
    while (all.alive() && System.nanoTime() < waitUntil) {
      ChatCall.sleep(100);
    }
    if (all.alive()) {
      outcome.note("role all did not exit within 40 s of SIGTERM: killed");
      all.kill();
    }
    results.forEach(r -> {
      outcome.sent.incrementAndGet();
      tally(outcome, r);
    });
    results.stream().filter(r -> !r.answered()).limit(3).forEach(r -> outcome.note("failed chat: " + r));
    long restarted = System.nanoTime();
    RoleProcess again = rig.launchExtra("all", port, env, dir);
    try {
      again.awaitReady(Duration.ofMinutes(4));
      outcome.recovered(Duration.ofNanos(System.nanoTime() - restarted));
      for (ChatCall.Result r : results) {
        if (r.answered() && !ChatCall.kept(url, r, Duration.ofSeconds(15))) {
          outcome.lost.incrementAndGet();
        }
      }
    } finally {
      again.stop(Duration.ofSeconds(40));
    }
    outcome.requireNone(outcome.failed.get(), "streams in flight did not end with their answer (drain)");
    requireNoServerErrorsHangsLoss(outcome);
    return outcome;
  }

  /**
   * {@code count} streamed chats, {@code concurrency} at a time, counted into {@code outcome};
   * {@code during} runs on this thread once they are under way.
   */
  private List<ChatCall.Result> chats(DrillOutcome outcome, String drill, int count, int concurrency,
      Runnable during) {
    List<CompletableFuture<ChatCall.Result>> calls = new ArrayList<>();
    java.util.concurrent.Semaphore slots = new java.util.concurrent.Semaphore(concurrency);
    streaming = new java.util.concurrent.CountDownLatch(count);
    java.util.concurrent.CountDownLatch tokens = streaming;
    for (int i = 0; i < count; i++) {
      String question = rig.question(drill);
      URI edge = rig.edge().url();
      calls.add(CompletableFuture.supplyAsync(() -> {
        slots.acquireUninterruptibly();
        try {
          return ChatCall.ask(edge, DrillRig.SITE, question, plan.chatDeadline(), tokens);
        } finally {
          slots.release();
        }
      }, clients));
    }
    during.run();
    List<ChatCall.Result> results = calls.stream().map(CompletableFuture::join).toList();
    for (ChatCall.Result r : results) {
      outcome.sent.incrementAndGet();
      tally(outcome, r);
    }
    return results;
  }

  /** Waits (at most 30 s) until every chat of the drill streams its first token: the fault comes mid-stream. */
  private void awaitStreaming() {
    try {
      if (!streaming.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
        throw new IllegalStateException(streaming.getCount() + " chats sent no token within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void tally(DrillOutcome outcome, ChatCall.Result r) {
    if (!r.answered()) {
      outcome.failed.incrementAndGet();
    }
    if (r.serverError()) {
      outcome.serverErrors.incrementAndGet();
    }
    if (r.ending() == ChatCall.Ending.HUNG) {
      outcome.hangs.incrementAndGet();
    }
  }

  /** Counts answered chats whose conversation, read back through the edge, lacks the answer. */
  private void countKept(DrillOutcome outcome, List<ChatCall.Result> results) {
    for (ChatCall.Result r : results) {
      if (r.answered() && !ChatCall.kept(rig.edge().url(), r, Duration.ofSeconds(15))) {
        outcome.lost.incrementAndGet();
        outcome.note("answered but not in its conversation: " + r.conversation());
      }
    }
  }

  /** Measures how long the system took to serve again, from {@code since} (or now); a breach when it did not. */
  private void recover(DrillOutcome outcome, Optional<Long> since) {
    long start = since.orElse(System.nanoTime());
    List<String> died = rig.reviveDead();
    if (!died.isEmpty()) {
      outcome.breach(died + " died during the drill though the drill did not stop it (crashed?); started again");
    }
    Optional<Duration> serving = rig.awaitServing(SERVE_AGAIN);
    if (serving.isPresent()) {
      if (outcome.recovery() == null) {
        outcome.recovered(Duration.ofNanos(System.nanoTime() - start));
      }
    } else {
      outcome.breach("the system did not serve a chat again within " + SERVE_AGAIN.toMinutes() + " min");
    }
  }

  private static void requireNoServerErrorsHangsLoss(DrillOutcome outcome) {
    outcome.requireNone(outcome.serverErrors.get(), "answers with a 5xx status");
    requireNoHangsLoss(outcome);
  }

  private static void requireNoHangsLoss(DrillOutcome outcome) {
    outcome.requireNone(outcome.hangs.get(), "requests hung");
    outcome.requireNone(outcome.lost.get(), "accepted items lost");
  }

  private interface Call {
    HttpResponse<String> send() throws IOException;
  }

  /** Sends one request and counts it: a 5xx, or a failure to get an answer; null when there was none. */
  private static HttpResponse<String> send(DrillOutcome outcome, Call call) {
    outcome.sent.incrementAndGet();
    try {
      HttpResponse<String> response = call.send();
      if (response.statusCode() >= 500) {
        outcome.serverErrors.incrementAndGet();
      }
      if (response.statusCode() >= 300) {
        outcome.failed.incrementAndGet();
      }
      return response;
    } catch (java.net.http.HttpTimeoutException e) {
      outcome.hangs.incrementAndGet();
      outcome.failed.incrementAndGet();
      return null;
    } catch (IOException e) {
      outcome.failed.incrementAndGet();
      return null;
    }
  }

  private static HttpResponse<String> asyncChat(URI edge, String question) throws IOException {
    HttpRequest request = HttpRequest.newBuilder(edge.resolve("/v1/chat")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").header("Prefer", "respond-async")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("site", DrillRig.SITE)
            .put("message", question).encode()))
        .build();
    try {
      return ChatCall.HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** Waits until each job is {@code completed}; the ones that were not when {@code limit} ran out. */
  private List<String> awaitJobs(List<String> jobs, Duration limit) {
    long deadline = System.nanoTime() + limit.toNanos();
    List<String> open = new ArrayList<>(jobs);
    while (!open.isEmpty() && System.nanoTime() < deadline) {
      open.removeIf(job -> "completed".equals(jobState(job)));
      if (!open.isEmpty()) {
        ChatCall.sleep(500);
      }
    }
    return open;
  }

  private String jobState(String job) {
    try {
      HttpResponse<String> found = ChatCall.HTTP.send(HttpRequest.newBuilder(rig.edge().url().resolve("/v1/jobs/" + job))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      return found.statusCode() == 200 ? new JsonObject(found.body()).getString("state") : "";
    } catch (IOException | RuntimeException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  void close() {
    clients.shutdownNow();
  }

}
