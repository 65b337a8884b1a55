-- Issue 17 (defect 6): a write the admin API accepted must not depend on the queue Redis answering
-- at that moment, and a client that retries an upload must not make it twice.

-- Jobs stored in the transaction of the write they are about (documents accepted, a document marked
-- for deletion) and handed to the queue after it commits: at once when the queue Redis answers, else
-- by the outbox relay of any origin as soon as it answers again (jobs/JobOutbox). A row goes when its
-- job is on the queue; the job's id is fixed here, so handing it over twice makes one job.
CREATE TABLE job_outbox (
  job_id     text PRIMARY KEY,
  type       text NOT NULL,
  payload    jsonb NOT NULL,
  attempts   int NOT NULL DEFAULT 0,          -- hand-overs tried and failed
  due_at     timestamptz NOT NULL,            -- when a relay may try it (again); a claim moves it on
  created_at timestamptz NOT NULL DEFAULT now()
);
-- serves the relay: the rows due, oldest first (a small table: empty while the queue Redis answers)
CREATE INDEX job_outbox_due_idx ON job_outbox (due_at);

-- Idempotency-Key of the writes that take one (POST /admin/sites/{site}/documents): the answer given
-- to the first request with a key, written in that request's transaction, so that a retry with the
-- same key and body gets the same answer and nothing is stored twice, from any origin, after restarts.
CREATE TABLE idempotency_keys (
  scope       text NOT NULL,                  -- the call the key belongs to, e.g. 'POST /admin/sites/shop/documents'
  key         text NOT NULL,                  -- the client's Idempotency-Key
  fingerprint text NOT NULL,                  -- SHA-256 of the request body: the same key with another body is refused
  status      int NOT NULL,
  response    jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
-- serves the pruning of keys past knowledge.idempotencyKeyTtlMs
CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at);
