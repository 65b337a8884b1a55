-- Issue 19: per-site control of the semantic cache, and reports of wrong semantic hits.

-- A site's own semantic settings over the edges' (admin API "semantic": {"enabled"?, "maxWrongShare"?});
-- NULL: the edges' settings (cache.semantic, cache.semanticMaxWrongShare).
ALTER TABLE sites ADD COLUMN semantic jsonb;

-- A reported wrong hit is logged as a site change too, so that every edge learns it through the
-- change feed: the normalized cached question that must no longer lend its answer by meaning.
-- NULL for the other changes (a new version, a purge by document).
ALTER TABLE site_changes ADD COLUMN wrong_hit text;
-- serves the snapshot's wrong hits still kept (rare rows, like the purges by document)
CREATE INDEX site_changes_wrong_hits_idx ON site_changes (seq) WHERE wrong_hit IS NOT NULL;

-- Every report, kept (not pruned with the change log): what the matcher's operator counts wrong
-- hits per site by, and the list of blocked questions origin sends with a site to every edge.
CREATE TABLE semantic_wrong_hits (
  id          bigserial PRIMARY KEY,
  site_id     text NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
  matched     text NOT NULL,         -- the cached question (normalized) whose answer was lent wrongly
  question    text,                  -- the visitor's question it was lent to, when the report says
  message_id  text,                  -- the message that carried the wrong answer, when the report says
  kb_version  bigint NOT NULL,       -- the site's version when reported
  change_seq  bigint NOT NULL,       -- the site change that told the edges
  reported_at timestamptz NOT NULL DEFAULT now()
);
-- serves a site's blocked questions (the site fetch) and its count of reports (the admin listing)
CREATE INDEX semantic_wrong_hits_site_idx ON semantic_wrong_hits (site_id, matched);
