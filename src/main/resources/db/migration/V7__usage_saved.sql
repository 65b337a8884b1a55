-- Rows of usage that an edge reported as spared: an answer served again from its cache (or shared
-- with an identical question) saved the tokens it cost when it was made (issue 18, cost and savings).
-- Such a row's message is the visitor's copy of the answer; its tokens were not spent.
ALTER TABLE usage ADD COLUMN saved boolean NOT NULL DEFAULT false;
