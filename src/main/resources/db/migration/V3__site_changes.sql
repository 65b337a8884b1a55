-- Issue 15: every change of a site's version (a purge, a document added, changed or deleted, the
-- site's settings) and every purge of answers citing given documents is logged here, in the
-- transaction that makes it, and announced with NOTIFY edgechat_site_changes. Origins follow the
-- log and stream it to every edge (GET /internal/changes), so an edge in any region learns each
-- change within a round trip, and one that was cut off resumes where it stopped.

-- The last sequence number given out. Every writer takes this one row's lock first, so changes
-- commit in the order of their numbers and the numbers have no gaps: a reader that has seen n has
-- seen everything up to n, and a missing number means pruned rows, never a late commit.
CREATE TABLE site_change_head (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq bigint NOT NULL
);
INSERT INTO site_change_head (one, seq) VALUES (true, 0);

CREATE TABLE site_changes (
  seq       bigint PRIMARY KEY,        -- serves the feed: the changes after a sequence number, in order
  site_id   text NOT NULL,             -- no foreign key: sites are never deleted, and the log is pruned by age
  version   bigint NOT NULL,           -- the site's knowledge-base version after the change
  documents text[],                    -- null: the whole site (a new version); else only answers citing these
  at        timestamptz NOT NULL       -- when the change was made (clock_timestamp(), just before its commit)
);
-- serves a site's purges by document, which origin sends with the site (GET /internal/sites/{site}),
-- and the snapshot an edge gets when it was cut off longer than the log keeps (a small partial index:
-- most changes are of the whole site)
CREATE INDEX site_changes_documents_idx ON site_changes (site_id, seq) WHERE documents IS NOT NULL;
