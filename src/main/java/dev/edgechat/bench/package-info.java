/**
 * The {@code bench} role: load generators that measure what a visitor feels, against a running
 * edge and, for a baseline, the {@code sim} upstream directly. {@link dev.edgechat.bench.BenchCommand}
 * is the command line; {@link dev.edgechat.bench.FirstTokenBench} is the first measurement (time to
 * {@code ready}, first token and whole answer); {@link dev.edgechat.bench.BenchReport} turns its
 * histograms into a markdown table and JSON.
 */
package dev.edgechat.bench;
