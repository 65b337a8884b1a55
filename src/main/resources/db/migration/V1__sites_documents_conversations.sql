-- Sites, their knowledge base, and conversations. Each index below serves a query the code runs;
-- KnowledgeQueryPlanTest and ConversationQueryPlanTest check with EXPLAIN that each hot query's plan uses its index.

CREATE TABLE sites (
  id              text PRIMARY KEY,
  name            text NOT NULL,
  allowed_origins text[] NOT NULL DEFAULT '{}',
  system_prompt   text,
  kb_version      bigint NOT NULL DEFAULT 1,     -- part of every answer-cache key; bumped on change
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE documents (
  site_id      text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  id           text NOT NULL,
  title        text NOT NULL,
  url          text,
  freshness    text NOT NULL CHECK (freshness IN ('static', 'dynamic')),
  content_hash text NOT NULL,
  status       text NOT NULL CHECK (status IN ('pending', 'ready', 'failed')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (site_id, id)
);

CREATE TABLE chunks (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id     text NOT NULL,
  document_id text NOT NULL,
  ordinal     int NOT NULL,
  text        text NOT NULL,
  tsv         tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
  FOREIGN KEY (site_id, document_id) REFERENCES documents (site_id, id) ON DELETE CASCADE,
  -- serves "the chunks of a document" (replace on re-ingest, cascade on delete)
  UNIQUE (site_id, document_id, ordinal)
);
-- serves retrieval: full-text match of the question within one site
CREATE INDEX chunks_tsv_idx ON chunks USING gin (tsv);

CREATE TABLE conversations (
  id         text PRIMARY KEY,
  site_id    text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  visitor    text,
  created_at timestamptz NOT NULL DEFAULT now()
);
-- serves the cascade from sites and "a site's conversations"
CREATE INDEX conversations_site_idx ON conversations (site_id, created_at);

CREATE TABLE messages (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,   -- order within a conversation
  id              text NOT NULL UNIQUE,                                -- saving twice is a no-op
  conversation_id text NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
  role            text NOT NULL CHECK (role IN ('user', 'assistant')),
  text            text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);
-- serves history (latest turns first) and the whole conversation in order
CREATE INDEX messages_conversation_idx ON messages (conversation_id, seq);
