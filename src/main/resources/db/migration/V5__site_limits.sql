-- A site's own abuse limits over the edges' settings (admin API "limits"); NULL: the edges' settings.
ALTER TABLE sites ADD COLUMN limits jsonb;
