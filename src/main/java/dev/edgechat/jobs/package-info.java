/**
 * The job queue (DESIGN.md, Job queue): Bull's semantics on Redis Streams with a consumer group.
 * {@link dev.edgechat.jobs.JobQueue} enqueues jobs and runs them with the registered
 * {@link dev.edgechat.jobs.JobHandler}s; {@link dev.edgechat.jobs.JobsApi} serves
 * {@code GET /v1/jobs/{id}} (API.md §1). {@link dev.edgechat.jobs.AsyncChat} is the worker's part of
 * asynchronous chat: it answers a {@code chat} job through origin, as an edge would.
 * {@link dev.edgechat.jobs.JobOutbox} stages jobs in Postgres with the write they are about and
 * hands them to the queue, at once or as soon as the queue's Redis answers again.
 * {@code QueueDepth} reads each type's queue depth into gauges on a timer.
 */
package dev.edgechat.jobs;
