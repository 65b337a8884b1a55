-- Issue 4: the knowledge base is ingested by jobs and retrieved by vector similarity.
-- Postgres stays the source of truth: a document is stored `pending` with its text before any job
-- runs, so a sweeper can re-enqueue what a lost job left behind; chunks carry their embedding so the
-- in-process vector index is rebuilt from here at start.

ALTER TABLE documents
  ADD COLUMN text  text NOT NULL DEFAULT '',
  ADD COLUMN error text;                          -- why the last ingestion failed (status 'failed')

ALTER TABLE documents DROP CONSTRAINT documents_status_check;
ALTER TABLE documents ADD CONSTRAINT documents_status_check
  CHECK (status IN ('pending', 'ready', 'failed', 'deleting'));

-- serves the sweeper: documents whose job may have been lost, oldest first (a small partial index:
-- nearly every document is `ready`)
CREATE INDEX documents_unfinished_idx ON documents (updated_at) WHERE status IN ('pending', 'deleting');

-- retrieval is by vector now: the full-text column and its index only cost writes
DROP INDEX chunks_tsv_idx;
ALTER TABLE chunks DROP COLUMN tsv;

ALTER TABLE chunks
  ADD COLUMN model     text NOT NULL DEFAULT '',   -- the embedding model that made `embedding`
  ADD COLUMN embedding bytea NOT NULL DEFAULT ''::bytea;  -- float32 little-endian, unit length

-- Tokens spent per answer, for cost reports; written in batches with the messages.
CREATE TABLE usage (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id           text NOT NULL,
  conversation_id   text NOT NULL,
  message_id        text NOT NULL UNIQUE,          -- saving twice is a no-op
  model             text NOT NULL,
  prompt_tokens     int NOT NULL,
  completion_tokens int NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now()
);
-- serves "a site's usage over a period"
CREATE INDEX usage_site_idx ON usage (site_id, created_at);
