package dev.edgechat.bench;

import io.vertx.core.Future;
import java.util.List;

/** One kind of request a benchmark phase sends over and over, timed by its milestones. */
interface MeasuredCall {

  /** The milestones every successful call reaches, in the order they happen (the phase's series). */
  List<String> milestones();

  /**
   * Sends request number {@code sequence} (from 0, warm-up included) and follows its response to
   * the end.
   *
   * @return succeeds with the milestones once the response ended well, each of {@link #milestones()}
   *     reached; fails with a {@link RequestFailure} when the answer was bad (status, error event,
   *     stream cut short), or with the transport's exception
   */
  Future<Marks> send(int sequence);
}
