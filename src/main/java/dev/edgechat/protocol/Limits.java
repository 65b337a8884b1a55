package dev.edgechat.protocol;

/** Sizes the edge and origin both hold to, so that origin never refuses what an edge accepted. */
public final class Limits {

  /** Most exchanges one {@code POST /internal/records} call may carry. */
  public static final int MAX_RECORDS = 200;
  /** Longest question origin takes in an answer request. */
  public static final int MAX_QUESTION_CHARS = 100_000;

  private Limits() {
  }

  /**
   * The largest body of an answer request ({@code /internal/answer}, {@code /internal/jobs/chat}):
   * the visitor's body, which the edge took up to {@code maxBodyBytes}, plus the ids it adds and
   * the question's vector ({@link QuestionVector#MAX_JSON_BYTES}).
   */
  public static int answerRequestBytes(int maxBodyBytes) {
    return 2 * maxBodyBytes + 4096 + QuestionVector.MAX_JSON_BYTES;
  }

  /**
   * The largest {@code /internal/records} body: {@link #MAX_RECORDS} exchanges, each a visitor's
   * question and an answer of at most {@code maxAnswerChars} characters (up to six bytes each in JSON).
   */
  public static int recordsBytes(int maxBodyBytes, int maxAnswerChars) {
    return MAX_RECORDS * (2 * maxBodyBytes + maxAnswerChars * 6);
  }
}
