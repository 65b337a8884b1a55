/**
 * The {@code sim} role: an OpenAI-compatible LLM upstream that costs nothing and behaves as told.
 *
 * <p>{@link dev.edgechat.sim.SimulatorApi} mounts {@code POST /v1/chat/completions} (whole or
 * streamed answers, paced by time to first token and tokens per second), {@code POST /v1/embeddings}
 * (deterministic feature-hashing vectors, so similar texts land near each other),
 * {@code GET /v1/models}, and the counters of {@link dev.edgechat.sim.SimStats} under
 * {@code /sim/stats}. Faults (500s, 429s, streams that stall or are cut half way) come from seeded
 * dice or, for one request, from the {@code X-Sim-Fault} header. Answers depend only on the request,
 * so demos, tests and load tests are repeatable.
 */
package dev.edgechat.sim;
