package dev.edgechat.ops.logging;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The W3C {@code traceparent} as read from a request and sent on. */
class TraceparentTest {

  private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN = "00f067aa0ba902b7";

  /** Verifies that a valid version-00 header is read field by field and written back the same. */
  @Test
  void parse_valid_fieldsAndSameHeader() {
    Traceparent parsed = Traceparent.parse("00-" + TRACE + "-" + SPAN + "-01").orElseThrow();
    assertThat(parsed).isEqualTo(new Traceparent(TRACE, SPAN, "01"));
    assertThat(parsed.header()).isEqualTo("00-" + TRACE + "-" + SPAN + "-01");
  }

  /** Verifies that a later version with more fields is read by its first four, as the specification asks. */
  @Test
  void parse_laterVersionWithMoreFields_firstFour() {
    assertThat(Traceparent.parse("01-" + TRACE + "-" + SPAN + "-00-extra")).contains(new Traceparent(TRACE, SPAN, "00"));
  }

  /** Verifies that what the specification calls invalid starts a new trace (empty here). */
  @Test
  void parse_invalid_empty() {
    assertThat(Traceparent.parse(null)).isEmpty();
    assertThat(Traceparent.parse("")).isEmpty();
    assertThat(Traceparent.parse("00-" + TRACE.toUpperCase() + "-" + SPAN + "-01")).as("upper case").isEmpty();
    assertThat(Traceparent.parse("00-" + "0".repeat(32) + "-" + SPAN + "-01")).as("zero trace").isEmpty();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + "0".repeat(16) + "-01")).as("zero span").isEmpty();
    assertThat(Traceparent.parse("ff-" + TRACE + "-" + SPAN + "-01")).as("version ff").isEmpty();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN + "-01-extra")).as("version 00 with more").isEmpty();
    assertThat(Traceparent.parse("00-" + TRACE + "-" + SPAN)).as("no flags").isEmpty();
  }

  /** Verifies that a new trace and a child span have well-formed, non-zero ids and the child keeps the trace. */
  @Test
  void start_child_wellFormed() {
    Traceparent trace = Traceparent.start();
    Traceparent child = trace.child();
    assertThat(Traceparent.parse(trace.header())).contains(trace);
    assertThat(Traceparent.parse(child.header())).contains(child);
    assertThat(child.traceId()).isEqualTo(trace.traceId());
    assertThat(child.spanId()).isNotEqualTo(trace.spanId());
    assertThat(Traceparent.start().traceId()).isNotEqualTo(trace.traceId());
  }
}
