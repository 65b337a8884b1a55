/**
 * The job queue (DESIGN.md, Job queue): Bull's semantics on Redis Streams with a consumer group.
 * {@link dev.edgechat.jobs.JobQueue} enqueues jobs and runs them with the registered
 * {@link dev.edgechat.jobs.JobHandler}s; {@link dev.edgechat.jobs.JobsApi} serves
 * {@code GET /v1/jobs/{id}} (API.md §1). {@link dev.edgechat.jobs.AsyncChat} is the worker's part of
 * asynchronous chat: it answers a {@code chat} job through origin, as an edge would.
 */
package dev.edgechat.jobs;
