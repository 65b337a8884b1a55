-- The latest knowledge-base version of a site whose change left its chunks as they were (new
-- settings, a purge of its answers); NULL: none known. Origin's chunk index, one version behind
-- such a version, reflects it without reading the site's chunks again: a settings change of a
-- site with 100,000 chunks costs each origin one row, not 100,000 ids. A version bumped without
-- setting it (ingestion, a deletion, a process older than this column) is taken as a change of
-- the chunks: origin compares its index with Postgres, as before.
ALTER TABLE sites ADD COLUMN chunks_unchanged_at bigint;
