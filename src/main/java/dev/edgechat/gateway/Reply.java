package dev.edgechat.gateway;

import dev.edgechat.answer.AnswerFlight;
import io.vertx.core.Context;

/**
 * How one caller is answered from a flight: as chunks ({@link StreamReply}) or whole
 * ({@link WholeReply}). This part follows the flight and leaves it; the kinds say what news means.
 */
abstract class Reply {

  protected AnswerFlight flight;
  private AnswerFlight.Follower follower;
  protected boolean finished;

  /** Starts reading {@code flight}; news of it is handled on {@code context}, the caller's. */
  final void follow(AnswerFlight flight, Context context) {
    if (finished) {
      return;
    }
    this.flight = flight;
    this.follower = flight.follow(context, this::onNews);
    onNews();
    if (!finished && flight.isAbandoned()) {
      // its last reader left (and its upstream was reset) between this caller finding it in flight
      // and following it: nothing more will come, so say so rather than wait forever
      failed(GatewayError.upstream(503, "overloaded", "the answer this request joined was abandoned; try again",
          1L));
    }
  }

  /** The caller's connection closed: stop, and leave the flight (the last to leave cancels the upstream). */
  final void clientLeft() {
    finish();
  }

  /** Stops reading and leaves the flight; once. */
  protected final void finish() {
    if (!finished) {
      finished = true;
      if (follower != null) {
        follower.leave();
      }
    }
  }

  /** Events arrived (or may have): write what there is. */
  protected abstract void onNews();

  /** Ends the answer with {@code error}, whatever was written of it. */
  protected abstract void failed(GatewayError error);
}
