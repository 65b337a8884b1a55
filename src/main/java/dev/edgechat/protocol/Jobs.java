package dev.edgechat.protocol;

import java.util.regex.Pattern;

/**
 * What the edge, origin and the workers agree on about jobs: the type of an asynchronous
 * question, and what a job id looks like (the edge checks one before asking origin for it).
 */
public final class Jobs {

  /** The job type of an asynchronous question ({@code Prefer: respond-async}); its payload an {@link AnswerRequest}. */
  public static final String CHAT = "chat";

  /** Job ids: URL-safe, so that they can stand in a path; callers' dedupe ids may use '.' and ':'. */
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  private Jobs() {
  }

  /** Whether {@code id} could be a job id (URL-safe, 1 to 128 characters). */
  public static boolean isJobId(String id) {
    return id != null && JOB_ID.matcher(id).matches();
  }
}
