package dev.edgechat.bench.drills;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A visitor's streamed chat, {@code POST /v1/chat} with {@code Accept: text/event-stream}, read to
 * its {@code done} or {@code error} event within a deadline, and the check that what was answered is
 * kept: the conversation read back holds the question and the answer.
 */
final class ChatCall {

  /** How a chat ended. */
  enum Ending {
    /** A {@code done} event: answered. */
    DONE,
    /** An {@code error} event in the stream. */
    ERROR_EVENT,
    /** A status other than 200. */
    STATUS,
    /** The connection failed (refused, reset, closed before the end). */
    BROKEN,
    /** No end before the deadline. */
    HUNG
  }

  /** What one chat got; {@code text} is the answer's tokens joined. */
  record Result(Ending ending, int status, String conversation, String message, String text, String detail,
      long millis) {

    boolean answered() {
      return ending == Ending.DONE;
    }

    boolean serverError() {
      return status >= 500;
    }

    @Override
    public String toString() {
      return ending + (status > 0 ? " " + status : "") + (detail.isEmpty() ? "" : " " + detail) + " after "
          + millis + " ms";
    }
  }

  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  private static final ExecutorService READERS = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "drill-chat-reader");
    thread.setDaemon(true);
    return thread;
  });

  private ChatCall() {
  }

  /** Asks {@code message} of site {@code site} through {@code edge}, streamed; waits at most {@code deadline}. */
  static Result ask(URI edge, String site, String message, Duration deadline) {
    return ask(edge, site, message, deadline, new java.util.concurrent.CountDownLatch(1));
  }

  /** As {@link #ask(URI, String, String, Duration)}; counts {@code tokenSeen} down at the first token (or the end). */
  static Result ask(URI edge, String site, String message, Duration deadline,
      java.util.concurrent.CountDownLatch tokenSeen) {
    try {
      return read(edge, site, message, deadline, tokenSeen);
    } finally {
      tokenSeen.countDown();
    }
  }

  private static Result read(URI edge, String site, String message, Duration deadline,
      java.util.concurrent.CountDownLatch tokenSeen) {
    long start = System.nanoTime();
    HttpRequest request = HttpRequest.newBuilder(edge.resolve("/v1/chat"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("site", site).put("message", message).encode()))
        .build();
    java.util.concurrent.CompletableFuture<HttpResponse<Stream<String>>> sent =
        HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
    Future<Result> read = READERS.submit(() -> {
      HttpResponse<Stream<String>> response = sent.get();
      try (Stream<String> lines = response.body()) {
        if (response.statusCode() != 200) {
          String body = String.join("\n", lines.toList());
          return new Result(Ending.STATUS, response.statusCode(), "", "", "", abbreviate(body), millis(start));
        }
        return events(lines.iterator(), start, tokenSeen);
      }
    });
    try {
      return read.get(deadline.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      read.cancel(true);
      sent.cancel(true);
      sent.thenAccept(response -> response.body().close());
      return new Result(Ending.HUNG, -1, "", "", "", "no end within " + deadline.toSeconds() + " s", millis(start));
    } catch (ExecutionException e) {
      return new Result(Ending.BROKEN, -1, "", "", "", String.valueOf(rootCause(e)), millis(start));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(Ending.BROKEN, -1, "", "", "", "interrupted", millis(start));
    }
  }

  private static Result events(Iterator<String> lines, long start, java.util.concurrent.CountDownLatch tokenSeen) {
    String event = "";
    String conversation = "";
    String message = "";
    StringBuilder text = new StringBuilder();
    while (lines.hasNext()) {
      String line = lines.next();
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        JsonObject data;
        try {
          data = new JsonObject(line.substring(5).trim());
        } catch (DecodeException e) {
          return new Result(Ending.BROKEN, 200, conversation, message, text.toString(), "not JSON: " + line,
              millis(start));
        }
        switch (event) {
          case "ready" -> {
            conversation = data.getString("conversation", "");
            message = data.getString("message", "");
          }
          case "token" -> {
            text.append(data.getString("text", ""));
            tokenSeen.countDown();
          }
          case "done" -> {
            return new Result(Ending.DONE, 200, conversation, message, text.toString(), "", millis(start));
          }
          case "error" -> {
            return new Result(Ending.ERROR_EVENT, 200, conversation, message, text.toString(),
                data.getString("code", "?"), millis(start));
          }
          default -> {
          }
        }
      }
    }
    return new Result(Ending.BROKEN, 200, conversation, message, text.toString(), "stream ended without done",
        millis(start));
  }

  /**
   * Whether the conversation of {@code answered}, read through {@code edge}, holds its answer (asked
   * again for up to {@code wait}: a replica may lag).
   */
  static boolean kept(URI edge, Result answered, Duration wait) {
    HttpRequest get = HttpRequest.newBuilder(edge.resolve("/v1/conversations/" + answered.conversation()))
        .timeout(Duration.ofSeconds(10)).build();
    long deadline = System.nanoTime() + wait.toNanos();
    while (true) {
      try {
        HttpResponse<String> found = HTTP.send(get, HttpResponse.BodyHandlers.ofString());
        if (found.statusCode() == 200) {
          JsonArray messages = new JsonObject(found.body()).getJsonArray("messages", new JsonArray());
          for (int i = 0; i < messages.size(); i++) {
            JsonObject m = messages.getJsonObject(i);
            if ("assistant".equals(m.getString("role")) && answered.text().equals(m.getString("text"))) {
              return true;
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // asked again below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      if (System.nanoTime() > deadline) {
        return false;
      }
      sleep(200);
    }
  }

  /** The status of {@code GET path} on {@code base}, -1 when it could not be asked. */
  static int status(URI base, String path) {
    try {
      return HTTP.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(3)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  static String abbreviate(String text) {
    String flat = text.replace('\n', ' ').replace('\r', ' ');
    return flat.length() <= 200 ? flat : flat.substring(0, 200) + "…";
  }

  private static long millis(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static Throwable rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
