package dev.edgechat.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class EdgeProcessFiguresTest {

  /** A piece of an edge's /metrics as Vert.x's JVM meters write it (two heap pools, two buffer pools). */
  private static final String METRICS = """
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="Tenured Gen"} 1.5E7
      jvm_memory_used_bytes{area="heap",id="Eden Space"} 5000000.0
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 3.0E7
      jvm_memory_used_bytes_other{area="heap",id="x"} 9.9E9
      jvm_memory_committed_bytes{area="heap",id="Tenured Gen"} 4.0E7
      jvm_memory_committed_bytes{area="heap",id="Eden Space"} 1.0E7
      jvm_buffer_memory_used_bytes{id="direct"} 4194304.0
      jvm_buffer_memory_used_bytes{id="mapped"} 123.0
      jvm_gc_pause_seconds_count{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 7.0
      jvm_gc_pause_seconds_count{action="end of major GC",cause="System.gc()",gc="MarkSweepCompact"} 1.0
      jvm_gc_pause_seconds_sum{action="end of minor GC",cause="Allocation Failure",gc="Copy"} 0.25
      jvm_gc_pause_seconds_sum{action="end of major GC",cause="System.gc()",gc="MarkSweepCompact"} 0.5
      """;

  /** Verifies that each figure sums its series' samples, by exact name and label, and nothing else. */
  @Test
  void of_sumsTheSeriesByNameAndLabel() {
    EdgeProcessFigures figures = EdgeProcessFigures.of(new long[] {1, 2, 3, 4}, METRICS);

    assertThat(figures.rssBytes()).isEqualTo(1);
    assertThat(figures.fds()).isEqualTo(4);
    assertThat(figures.heapUsedBytes()).isEqualTo(20_000_000);
    assertThat(figures.heapCommittedBytes()).isEqualTo(50_000_000);
    assertThat(figures.nonHeapUsedBytes()).isEqualTo(30_000_000);
    assertThat(figures.directBytes()).isEqualTo(4_194_304);
    assertThat(figures.gcPauses()).isEqualTo(8);
    assertThat(figures.gcPauseSeconds()).isEqualTo(0.75);
  }

  /** Verifies that a series the exposition lacks reads -1, not 0. */
  @Test
  void of_missingSeriesIsMinusOne() {
    EdgeProcessFigures figures = EdgeProcessFigures.of(new long[] {-1, -1, -1, -1}, "up 1\n");

    assertThat(figures.heapUsedBytes()).isEqualTo(-1);
    assertThat(figures.directBytes()).isEqualTo(-1);
  }

  /** Verifies the /proc figures on this test's own process, and -1 for a process that is not there. */
  @Test
  void proc_readsThisProcessAndNotAMissingOne() {
    long[] own = EdgeProcessFigures.proc(ProcessHandle.current().pid());

    assertThat(own[0]).as("VmRSS").isPositive();
    assertThat(own[1]).as("VmHWM").isGreaterThanOrEqualTo(own[0]);
    assertThat(own[2]).as("threads").isPositive();
    assertThat(own[3]).as("descriptors").isPositive();
    assertThat(EdgeProcessFigures.proc(Long.MAX_VALUE)).containsExactly(-1, -1, -1, -1);
  }
}
