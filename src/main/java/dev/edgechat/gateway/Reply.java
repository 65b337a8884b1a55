package dev.edgechat.gateway;

import dev.edgechat.edge.AnswerFlight;
import io.vertx.core.Context;

/** How one caller is answered from a flight: as chunks ({@link StreamReply}) or whole ({@link WholeReply}). */
interface Reply {

  /** Starts reading {@code flight}; news of it is handled on {@code context}, the caller's. */
  void follow(AnswerFlight flight, Context context);

  /** The caller's connection closed: stop, and leave the flight (the last to leave cancels the upstream). */
  void clientLeft();
}
