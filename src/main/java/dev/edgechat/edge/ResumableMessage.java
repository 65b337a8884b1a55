package dev.edgechat.edge;

import dev.edgechat.answer.AnswerFlight;

/** A message this edge streamed, as a resume finds it in memory ({@link ResumeApi}). */
interface ResumableMessage {

  /** The events as the visitor sees them, event n at index n-1; live ones follow while it is answered. */
  AnswerFlight log();
}
