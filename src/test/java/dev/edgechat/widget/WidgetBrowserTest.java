package dev.edgechat.widget;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Frame;
import com.microsoft.playwright.FrameLocator;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.Route;
import com.microsoft.playwright.options.ColorScheme;
import com.microsoft.playwright.options.ServiceWorkerPolicy;
import com.microsoft.playwright.options.WaitForSelectorState;
import dev.edgechat.support.Await;
import dev.edgechat.support.EdgeProxy;
import dev.edgechat.support.SimulatedSystem;
import dev.edgechat.web.Ids;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The widget in real Chromium, embedded with its one script tag in a page of another origin whose
 * CSP allows only the edge: launcher, the chat UI in the edge's frame, typing indicator, streamed
 * tokens, sources, script API, history after a reload; offline with the edge's service worker and
 * the outbox; the nearest of two edges and failover; load times (measured, never asserted, written
 * to target/widget-load-times.txt). Fails (never skips) when /usr/bin/chromium is missing.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WidgetBrowserTest {

  private static final Path CHROMIUM = Paths.get("/usr/bin/chromium");
  private static final Path SHOTS = Paths.get("target", "widget-screenshots");
  private static final long SLOW_MS = 300;
  /** The features Playwright 1.56 turns off in Chromium (its chromiumSwitches.js), matched exactly to be replaced. */
  private static final String PLAYWRIGHT_FEATURES = "--disable-features=AcceptCHFrame,"
      + "AvoidUnnecessaryBeforeUnloadCheckSync,DestroyProfileOnBrowserClose,DialMediaRouteProvider,GlobalMediaControls,"
      + "HttpsUpgrades,LensOverlay,MediaRouter,PaintHolding,ThirdPartyStoragePartitioning,Translate,AutoDeElevate,"
      + "RenderDocument";

  private static Vertx vertx;
  private static SimulatedSystem system;
  private static HttpServer hostServer;
  private static String edge;
  private static String hostPage;
  private static EdgeProxy offline;
  private static EdgeProxy fast;
  private static EdgeProxy slow;
  private static Playwright playwright;
  private static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    assertThat(Files.isExecutable(CHROMIUM))
        .as("the browser test needs Chromium at %s (apt-get install -y chromium chromium-driver)", CHROMIUM).isTrue();
    vertx = Vertx.vertx();
    // tokens slow enough that the page can see an answer grow, fast enough for a quick test
    system = SimulatedSystem.start(vertx, Map.of("EDGECHAT_SIM_FIRST_TOKEN_MS", "600",
            "EDGECHAT_SIM_TOKENS_PER_SECOND", "40", "EDGECHAT_SIM_ANSWER_TOKENS", "30"), Map.of())
        .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    edge = "http://127.0.0.1:" + system.app().edgePort();
    // edges as the browser reaches them over a network: one to cut off, one fast and one slow to choose from
    offline = await(EdgeProxy.start(vertx, system.app().edgePort(), 0));
    fast = await(EdgeProxy.start(vertx, system.app().edgePort(), 0));
    slow = await(EdgeProxy.start(vertx, system.app().edgePort(), SLOW_MS));
    hostServer = vertx.createHttpServer()
        .requestHandler(req -> {
          HostPage page = hostPages().get(req.path());
          if (page == null) {
            req.response().setStatusCode(404).end();
          } else {
            req.response().putHeader("Content-Type", page.type()).putHeader("Cache-Control", "no-cache");
            if (page.csp() != null) {
              req.response().putHeader("Content-Security-Policy", page.csp());
            }
            req.response().end(page.body());
          }
        })
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    hostPage = "http://localhost:" + hostServer.actualPort() + "/";
    playwright = Playwright.create(new Playwright.CreateOptions()
        .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(CHROMIUM)
        .setArgs(List.of("--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", PLAYWRIGHT_FEATURES
                .replace("ThirdPartyStoragePartitioning,", "")))
        // Chrome's default, which Playwright turns off (microsoft/playwright#32230): storage and service workers
        // of a frame from another site are partitioned by the top-level site; without it Chrome refuses them
        .setIgnoreDefaultArgs(List.of(PLAYWRIGHT_FEATURES)));
    Files.createDirectories(SHOTS);
  }

  /** A page of the host site (another origin than every edge): body, content type and CSP. */
  private record HostPage(String body, String type, String csp) {
  }

  /**
   * The host site: {@code /} with exactly the least CSP docs/widget.md documents; {@code /offline}
   * an offline-capable site (its own service worker keeps its page) embedding the widget from the
   * edge that gets cut off; {@code /edges} the widget with two edges to choose from; {@code /open}
   * the widget opened at once, for the load times.
   */
  private static Map<String, HostPage> hostPages() {
    String least = "default-src 'none'; script-src " + edge + "; frame-src " + edge;
    String edges = slow.url() + "," + fast.url(); // the slow one first: the order must not decide
    String edgesCsp = "default-src 'none'; script-src " + edge + "; frame-src " + slow.url() + " " + fast.url()
        + "; connect-src " + slow.url() + " " + fast.url();
    String offlineCsp = "default-src 'none'; script-src 'self' " + offline.url() + "; frame-src " + offline.url()
        + "; worker-src 'self'";
    String js = "text/javascript; charset=utf-8";
    return Map.of(
        "/", html(least, "<script src=\"" + edge + "/widget/edgechat.js\" data-site=\"demo\" "
            + "data-title=\"Demo Shop help\" async></script>"),
        "/offline", html(offlineCsp, "<script src=\"/host.js\" defer></script><script src=\"" + offline.url()
            + "/widget/edgechat.js\" data-site=\"demo\" data-title=\"Demo Shop help\" async></script>"),
        "/edges", html(edgesCsp, "<script src=\"" + edge + "/widget/edgechat.js\" data-site=\"demo\" "
            + "data-edges=\"" + edges + "\" async></script>"),
        "/open", html(least, "<script src=\"" + edge + "/widget/edgechat.js\" data-site=\"demo\" data-open "
            + "async></script>"),
        // the host's own service worker: what makes its page load offline (the widget's worker is the edge's)
        "/host.js", new HostPage("navigator.serviceWorker.register('/host-sw.js');", js, null),
        "/host-sw.js", new HostPage("self.addEventListener('install', (e) => e.waitUntil(caches.open('host')"
            + ".then((c) => c.addAll(['/offline', '/host.js'])).then(() => self.skipWaiting())));"
            + "self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));"
            + "self.addEventListener('fetch', (e) => { if (new URL(e.request.url).origin === location.origin)"
            + " e.respondWith(caches.match(e.request).then((hit) => hit || fetch(e.request))); });", js, null));
  }

  private static HostPage html(String csp, String script) {
    return new HostPage("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>A shop</title>"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>"
        + "<body><h1>A shop on another origin</h1><p>Its CSP: <code>" + csp + "</code></p>" + script
        + "</body></html>", "text/html; charset=utf-8", csp);
  }

  private static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (playwright != null) {
      playwright.close();
    }
    for (EdgeProxy proxy : new EdgeProxy[] {offline, fast, slow}) {
      if (proxy != null) {
        proxy.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
    if (hostServer != null) {
      hostServer.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    if (system != null) {
      system.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** Verifies a whole visit: open, ask, typing, streamed text, sources, script API, history after reload. */
  @Test
  void widget_onStrictCspPageOfAnotherOrigin_streamsAnswersAndKeepsHistory() {
    try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))) {
      Page page = context.newPage();
      List<String> problems = watch(page);
      page.navigate(hostPage);

      Locator launcher = page.locator("#edgechat .launcher");
      launcher.waitFor();
      assertThat(page.evaluate("getComputedStyle(document.getElementById('edgechat').shadowRoot"
          + ".querySelector('.launcher')).position")).as("the launcher's styles apply under the CSP").isEqualTo("fixed");
      page.evaluate("() => { window.__seen = []; for (const n of ['ready', 'token', 'answer'])"
          + " window.addEventListener('edgechat:' + n, (e) => window.__seen.push({name: n, detail: e.detail})); }");
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("closed-desktop-light.png")));

      launcher.click();
      FrameLocator ui = ui(page);
      Locator input = ui.locator("textarea");
      input.waitFor();
      assertThat(launcher.getAttribute("aria-expanded")).isEqualTo("true");
      assertThat(ui.locator("[role=log]").getAttribute("aria-live")).isEqualTo("polite");
      page.waitForCondition(() -> "true".equals(String.valueOf(frame(page).evaluate(
          "() => document.activeElement === document.querySelector('textarea')"))));
      // unique questions: the test Redis is shared by the JVM's tests, and this one must be a streamed miss
      String question = "How do I reset my password? (" + Ids.next() + ")";
      String second = "What are your opening hours? (" + Ids.next() + ")";
      input.fill(question);
      input.press("Enter");

      Locator answer = ui.locator(".answer").last();
      answer.locator(".typing").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.VISIBLE));
      // streamed: some answer text is on screen while the answer is not finished yet (no .meta line)
      frame(page).waitForFunction("() => { const a = [...document.querySelectorAll('.answer')].pop();"
          + " return a && a.querySelector('.text').textContent.length > 0 && !a.querySelector('.meta'); }", null,
          new Frame.WaitForFunctionOptions().setPollingInterval(10));
      Locator source = answer.locator(".sources a").first();
      source.waitFor();
      assertThat(source.textContent()).isEqualTo("Resetting your password");
      assertThat(source.getAttribute("href")).startsWith("https://");
      answer.locator(".meta").waitFor();
      assertThat(answer.locator(".typing").isHidden()).isTrue();
      String shown = answer.locator(".text").textContent();
      assertThat(shown).isNotBlank();
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("answer-desktop-light.png")));

      page.waitForFunction("() => window.__seen.some((e) => e.name === 'answer')");
      @SuppressWarnings("unchecked")
      Map<String, Object> event = (Map<String, Object>) page.evaluate(
          "() => window.__seen.find((e) => e.name === 'answer').detail");
      assertThat(event).containsKeys("conversation", "message", "text", "cache");
      assertThat(event.get("cache")).isEqualTo("miss");
      assertThat(((String) event.get("text")).replaceAll("\\s+", ""))
          .as("the DOM shows the answer's text").isEqualTo(shown.replaceAll("\\s+", ""));
      Object tokens = page.evaluate("() => window.__seen.filter((e) => e.name === 'token').length");
      assertThat(((Number) tokens).intValue()).isEqualTo(30);

      Object viaApi = page.evaluate("(q) => EdgeChat.send(q)", second);
      assertThat((String) viaApi).isNotBlank();
      assertThat(ui.locator(".msg-user").allTextContents())
          .containsExactly("You said: " + question, "You said: " + second);

      page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.DARK));
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("answer-desktop-dark.png")));

      page.reload();
      page.locator("#edgechat .launcher").click();
      Locator history = ui(page).locator(".msg.history");
      history.nth(3).waitFor();
      assertThat(history.count()).isEqualTo(4);
      assertThat(history.first().textContent()).contains(question);
      assertThat(history.nth(1).textContent()).contains(shown.trim().substring(0, Math.min(20, shown.trim().length())));
      ui(page).locator("textarea").press("Escape");
      assertThat(page.locator("#edgechat .panel").isHidden()).isTrue();
      assertThat(page.evaluate("() => document.getElementById('edgechat').shadowRoot.activeElement.className"))
          .as("focus returns to the launcher").isEqualTo("launcher");
      assertThat(problems).as("CSP violations and page errors").isEmpty();
    }
  }

  /** Verifies the phone layout: the open panel fills the screen; saves the screenshots (dark and light). */
  @Test
  void widget_onPhone_panelFillsScreen() {
    try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(390, 844)
        .setIsMobile(true).setHasTouch(true).setColorScheme(ColorScheme.DARK))) {
      Page page = context.newPage();
      List<String> problems = watch(page);
      page.navigate(hostPage);
      page.evaluate("() => EdgeChat.open()");
      Locator panel = page.locator("#edgechat .panel");
      panel.waitFor();
      ui(page).locator("textarea").waitFor();
      assertThat(panel.boundingBox().width).isEqualTo(390);
      assertThat(panel.boundingBox().height).isEqualTo(844);
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("open-mobile-dark.png")));
      page.emulateMedia(new Page.EmulateMediaOptions().setColorScheme(ColorScheme.LIGHT));
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("open-mobile-light.png")));
      assertThat(problems).isEmpty();
    }
  }

  /**
   * Verifies, with the edge's answers replaced in the browser: markup in an answer stays text,
   * only http(s) links become links, a dropped stream resumes from its last event id, and a 429
   * shows a rate-limit message and rejects {@code EdgeChat.send}.
   */
  @Test
  void widget_hostileAnswerDroppedStreamAndRateLimit_handledSafely() {
    // no service worker: requests it handled would not pass the page's routes (Playwright's documented limit)
    try (BrowserContext context = browser.newContext(new Browser.NewContextOptions()
        .setServiceWorkers(ServiceWorkerPolicy.BLOCK))) {
      Page page = context.newPage();
      List<String> problems = watch(page);
      List<String> resumedFrom = new CopyOnWriteArrayList<>();
      AtomicInteger chats = new AtomicInteger();
      Map<String, String> cors = Map.of("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Headers", "*",
          "Access-Control-Expose-Headers", "Retry-After");
      page.route(url -> url.startsWith(edge + "/v1/"), route -> {
        if ("OPTIONS".equals(route.request().method())) {
          route.fulfill(new Route.FulfillOptions().setStatus(204).setHeaders(cors));
        } else if (route.request().url().equals(edge + "/v1/chat") && chats.getAndIncrement() == 0) {
          route.fulfill(new Route.FulfillOptions().setStatus(200).setHeaders(sse(cors)).setBody(
              "id: 1\nevent: ready\ndata: {\"conversation\":\"c1\",\"message\":\"m1\",\"region\":\"x\"}\n\n"
              + "id: 2\nevent: token\ndata: " + new JsonObject().put("text", "**Bold** <img src=x onerror=\"window.pwned=1\">"
                  + " [bad](javascript:window.pwned=2) [good](https://example.com/a)\n\n- one\n- two").encode()
              + "\n\n")); // ends without done: a dropped stream
        } else if (route.request().url().equals(edge + "/v1/chat/m1/events")) {
          resumedFrom.add(route.request().headers().get("last-event-id"));
          route.fulfill(new Route.FulfillOptions().setStatus(200).setHeaders(sse(cors)).setBody(
              "id: 3\nevent: token\ndata: {\"text\":\"\\n\\nThe end.\"}\n\n"
              + "id: 4\nevent: sources\ndata: {\"items\":[{\"title\":\"Evil\",\"url\":\"javascript:window.pwned=3\"},"
              + "{\"title\":\"Good doc\",\"url\":\"https://example.com/doc\"}]}\n\n"
              + "id: 5\nevent: done\ndata: {\"cache\":\"hit\",\"stale\":false,\"ms\":1}\n\n"));
        } else {
          Map<String, String> headers = new java.util.HashMap<>(cors);
          headers.put("Retry-After", "7");
          headers.put("Content-Type", "application/json");
          route.fulfill(new Route.FulfillOptions().setStatus(429).setHeaders(headers)
              .setBody("{\"error\":{\"code\":\"rate_limited\",\"message\":\"slow down\"}}"));
        }
      });
      page.navigate(hostPage);
      page.locator("#edgechat .launcher").click();
      Object text = page.evaluate("() => EdgeChat.send('Hello')");
      assertThat(resumedFrom).containsExactly("2");
      assertThat((String) text).startsWith("**Bold** <img").endsWith("The end.");

      Locator answer = ui(page).locator(".answer").last();
      assertThat(answer.locator("strong").textContent()).isEqualTo("Bold");
      assertThat(answer.locator("img").count()).isZero();
      assertThat(answer.locator(".text").textContent()).contains("<img src=x onerror=\"window.pwned=1\">")
          .contains("bad").contains("The end.");
      assertThat(answer.locator(".text li").allTextContents()).containsExactly("one", "two");
      assertThat(answer.locator("a").evaluateAll("as => as.map((a) => a.href)"))
          .isEqualTo(List.of("https://example.com/a", "https://example.com/doc"));
      assertThat(answer.locator(".sources li").allTextContents()).containsExactly("Evil", "Good doc");
      assertThat(page.evaluate("() => window.pwned === undefined")).isEqualTo(true);
      assertThat(frame(page).evaluate("() => window.pwned === undefined")).isEqualTo(true);

      Object rejected = page.evaluate("() => EdgeChat.send('Again').then(() => 'resolved', () => 'rejected')");
      assertThat(rejected).isEqualTo("rejected");
      assertThat(ui(page).locator(".answer").last().locator(".error").textContent())
          .contains("Too many messages").contains("7 s");
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("safe-markdown-rate-limit.png")));
      assertThat(problems).as("uncaught errors").noneMatch(p -> !p.contains("429"));
    }
  }

  /**
   * Verifies offline use: after a visit, with the network gone (the browser offline and the edge cut
   * off), a reload shows the UI and the conversation from the edge's service worker; a message
   * written offline is queued, visibly, survives another reload, and once the connection is back it
   * is sent and answered: the edge's conversation holds it.
   */
  @Test
  void widget_offlineReload_showsHistoryAndSendsQueuedMessageOnReconnect() throws Exception {
    try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800))) {
      Page page = context.newPage();
      List<String> problems = watch(page);
      page.navigate(hostPage + "offline");
      page.waitForFunction("() => navigator.serviceWorker.controller !== null"); // the host page is kept by its worker
      String question = "Do you ship internationally? (" + Ids.next() + ")";
      Object first = page.evaluate("(q) => EdgeChat.open().then(() => EdgeChat.send(q))", question);
      assertThat((String) first).isNotBlank();
      // the edge's worker controls the frame and keeps the shell and the conversation
      frame(page).waitForFunction("async () => navigator.serviceWorker.controller !== null"
          + " && (await (await caches.open('edgechat-conversations')).keys()).length > 0");
      String conversation = (String) page.evaluate("() => localStorage.getItem('edgechat.demo.conversation')");
      assertThat(conversation).isNotBlank();

      context.setOffline(true);
      offline.cut(true);
      int seenBefore = offline.seen().size();
      page.reload();
      page.locator("#edgechat .launcher").click();
      FrameLocator ui = ui(page);
      Locator history = ui.locator(".msg.history");
      history.nth(1).waitFor();
      assertThat(history.count()).isEqualTo(2);
      assertThat(history.first().textContent()).contains(question);
      assertThat(history.nth(1).textContent()).contains(((String) first).trim().substring(0, 15));
      assertThat(ui.locator(".notice").textContent()).contains("offline");

      String queued = "And to Norway? (" + Ids.next() + ")";
      ui.locator("textarea").fill(queued);
      ui.locator("textarea").press("Enter");
      Locator waiting = ui.locator(".msg-user.queued");
      waiting.waitFor();
      assertThat(waiting.textContent()).contains(queued).contains("Queued");
      page.reload(); // the queue outlives the page
      page.locator("#edgechat .launcher").click();
      ui.locator(".msg-user.queued").waitFor();
      assertThat(ui.locator(".msg-user.queued").count()).isEqualTo(1);
      page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve("offline-queued-desktop-light.png")));
      assertThat(frame(page).evaluate("() => navigator.serviceWorker.controller !== null"))
          .as("the frame came from the edge's service worker").isEqualTo(true);
      assertThat(offline.seen()).as("nothing was answered by the edge while offline").hasSize(seenBefore);

      offline.cut(false);
      context.setOffline(false);
      ui.locator(".msg-user.queued").waitFor(new Locator.WaitForOptions().setState(WaitForSelectorState.DETACHED));
      Locator answer = ui.locator(".answer").last();
      answer.locator(".meta").waitFor();
      assertThat(ui.locator(".msg-user").last().textContent()).contains(queued);
      JsonObject kept = await(Await.until(vertx, () -> history(conversation).map(h -> h.getJsonArray("messages")
          .size() >= 4), 20_000).compose(v -> history(conversation)));
      List<Object> messages = kept.getJsonArray("messages").getList();
      assertThat(kept.getJsonArray("messages").getJsonObject(2).getString("text")).isEqualTo(queued);
      assertThat(kept.getJsonArray("messages").getJsonObject(3).getString("role")).isEqualTo("assistant");
      assertThat(kept.getJsonArray("messages").getJsonObject(3).getString("text")).isNotBlank();
      assertThat(messages).hasSize(4);
      assertThat(problems).as("page errors and CSP violations (network errors while offline aside)")
          .allMatch(p -> p.contains("net::ERR_"));
    }
  }

  /** The conversation as the edge serves it (GET /v1/conversations/{id}), read in the send callback. */
  private static io.vertx.core.Future<JsonObject> history(String conversation) {
    return system.http().request(io.vertx.core.http.HttpMethod.GET, system.app().edgePort(), "127.0.0.1",
        "/v1/conversations/" + conversation).compose(req -> req.send().compose(r -> r.body()))
        .map(b -> b.toJsonObject());
  }

  /**
   * Verifies the nearest edge: of two edges (the slow one listed first) the fast one is probed,
   * chosen, used and remembered; when it fails the widget moves to the other, asks there what was
   * not answered and keeps the conversation.
   */
  @Test
  void widget_twoEdgesOneSlow_usesFastOneAndFailsOver() throws Exception {
    try (BrowserContext context = browser.newContext()) {
      Page page = context.newPage();
      List<String> problems = watch(page);
      long slowChats = slow.count("POST /v1/chat");
      long fastChats = fast.count("POST /v1/chat");
      page.navigate(hostPage + "edges");
      String question = "How long does delivery take? (" + Ids.next() + ")";
      Object first = page.evaluate("(q) => EdgeChat.open().then(() => EdgeChat.send(q))", question);
      assertThat((String) first).isNotBlank();
      assertThat(frame(page).url()).startsWith(fast.url() + "/widget/frame.html");
      assertThat(slow.count("GET /v1/ping")).as("both edges probed").isGreaterThanOrEqualTo(1);
      assertThat(fast.count("GET /v1/ping")).isGreaterThanOrEqualTo(1);
      assertThat(fast.count("POST /v1/chat") - fastChats).isEqualTo(1);
      assertThat(slow.count("POST /v1/chat") - slowChats).as("the slow edge answers no chat").isZero();
      assertThat(slow.count("GET /widget/")).isZero();
      JsonObject choice = new JsonObject((String) page.evaluate("() => localStorage.getItem('edgechat.edge')"));
      assertThat(choice.getString("edge")).isEqualTo(fast.url());
      assertThat(System.currentTimeMillis() - choice.getLong("at")).isBetween(0L, 60_000L);

      // a second visit uses the remembered edge without probing
      long pings = slow.count("GET /v1/ping") + fast.count("GET /v1/ping");
      page.reload();
      page.evaluate("() => EdgeChat.open()");
      assertThat(frame(page).url()).startsWith(fast.url());
      assertThat(slow.count("GET /v1/ping") + fast.count("GET /v1/ping")).isEqualTo(pings);

      fast.cut(true);
      String second = "Can I change the address? (" + Ids.next() + ")";
      Object answered = page.evaluate("(q) => EdgeChat.send(q)", second);
      assertThat((String) answered).isNotBlank();
      fast.cut(false);
      assertThat(frame(page).url()).startsWith(slow.url() + "/widget/frame.html");
      assertThat(slow.count("POST /v1/chat") - slowChats).isEqualTo(1);
      assertThat(new JsonObject((String) page.evaluate("() => localStorage.getItem('edgechat.edge')")).getString("edge"))
          .isEqualTo(slow.url());
      Locator users = ui(page).locator(".msg-user");
      users.nth(1).waitFor();
      assertThat(users.allTextContents()).as("the conversation goes on at the other edge")
          .containsExactly("You said: " + question, "You said: " + second);
      assertThat(problems).as("page errors and CSP violations (the cut edge's network errors aside)")
          .allMatch(p -> p.contains("net::ERR_"));
    }
  }

  /**
   * Measures (never asserts) the time from navigation start to {@code edgechat:ready} on a page that
   * opens the widget at once: first visit (new browser profile) and repeat visit (same profile),
   * with the edge's service worker and with service workers blocked; medians of several runs,
   * printed and written to target/widget-load-times.txt.
   */
  @Test
  void widget_loadTimes_measuredWithAndWithoutServiceWorker() throws Exception {
    int runs = 7;
    StringBuilder report = new StringBuilder("widget load: navigation start -> edgechat:ready (ms), ")
        .append(runs).append(" runs each, median [min..max]\n");
    for (ServiceWorkerPolicy policy : List.of(ServiceWorkerPolicy.ALLOW, ServiceWorkerPolicy.BLOCK)) {
      List<Double> firstVisits = new java.util.ArrayList<>();
      List<Double> repeatVisits = new java.util.ArrayList<>();
      for (int i = 0; i < runs; i++) {
        try (BrowserContext context = browser.newContext(new Browser.NewContextOptions().setServiceWorkers(policy))) {
          context.addInitScript("window.addEventListener('edgechat:ready',"
              + " () => { window.__readyAt = performance.now(); }, { once: true });");
          Page page = context.newPage();
          firstVisits.add(readyAt(page));
          if (policy == ServiceWorkerPolicy.ALLOW) {
            frame(page).waitForFunction("() => navigator.serviceWorker.controller !== null");
          }
          repeatVisits.add(readyAt(page));
        }
      }
      String label = policy == ServiceWorkerPolicy.ALLOW ? "with service worker" : "service workers blocked";
      report.append(String.format(Locale.ROOT, "%-24s first visit %s, repeat visit %s%n", label,
          summary(firstVisits), summary(repeatVisits)));
    }
    System.out.print(report);
    Files.writeString(Paths.get("target", "widget-load-times.txt"), report.toString());
    assertThat(report.toString()).doesNotContain("NaN");
  }

  /** Navigates to the page that opens the widget at once; the ms from navigation start to edgechat:ready. */
  private static double readyAt(Page page) {
    page.navigate(hostPage + "open");
    page.waitForFunction("() => window.__readyAt !== undefined");
    return ((Number) page.evaluate("() => window.__readyAt")).doubleValue();
  }

  private static String summary(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
        : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
    return String.format(Locale.ROOT, "%.0f [%.0f..%.0f]", median, sorted.get(0), sorted.get(sorted.size() - 1));
  }

  /** The chat UI in the edge's frame. */
  private static FrameLocator ui(Page page) {
    return page.frameLocator("#edgechat iframe");
  }

  /** The edge's frame, once the loader has embedded it. */
  private static Frame frame(Page page) {
    return page.locator("#edgechat iframe").elementHandle().contentFrame();
  }

  private static Map<String, String> sse(Map<String, String> cors) {
    Map<String, String> headers = new java.util.HashMap<>(cors);
    headers.put("Content-Type", "text/event-stream");
    return headers;
  }

  /** Collects CSP violations, failed requests and uncaught errors of the page. */
  private static List<String> watch(Page page) {
    List<String> problems = new CopyOnWriteArrayList<>();
    page.onConsoleMessage(m -> {
      if ("error".equals(m.type()) || m.text().contains("Content Security Policy")) {
        problems.add(m.text());
      }
    });
    page.onPageError(e -> problems.add(e));
    return problems;
  }
}
