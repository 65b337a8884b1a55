-- Issue 21: origin embeds questions and the worker embeds chunks; vectors of two models (or of two
-- lengths) cannot be compared, and retrieval then finds nothing (sources: []). Each of the two
-- records here, at start, the model it embeds with, so that each can tell when the other differs
-- (/readyz reports it, naming both settings). One row per role: the last process of it to start.
CREATE TABLE embedding_models (
  role       text PRIMARY KEY CHECK (role IN ('origin', 'worker')),
  provider   text NOT NULL,                       -- embeddings.provider: local or remote
  model      text NOT NULL,                       -- the model's name, as chunks.model holds it
  dimensions int  NOT NULL,                       -- the vectors' length
  updated_at timestamptz NOT NULL DEFAULT now()
);
