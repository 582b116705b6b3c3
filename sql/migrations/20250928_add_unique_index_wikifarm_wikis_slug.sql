-- Adds the unique slug index to wikifarm_wikis on installations created before it existed.
-- Idempotent: does nothing when uniq_slug is already there. Before running it, resolve duplicate slugs:
--   SELECT slug, COUNT(*) FROM wikifarm_wikis GROUP BY slug HAVING COUNT(*) > 1;
-- The provisioner relies on this index to make concurrent creates with the same slug impossible.

SET @has_index := (
  SELECT COUNT(*) FROM information_schema.statistics
  WHERE table_schema = DATABASE() AND table_name = 'wikifarm_wikis' AND index_name = 'uniq_slug'
);
SET @ddl := IF(@has_index = 0,
  'ALTER TABLE wikifarm_wikis ADD UNIQUE KEY uniq_slug (slug)',
  'DO 0');
PREPARE add_uniq_slug FROM @ddl;
EXECUTE add_uniq_slug;
DEALLOCATE PREPARE add_uniq_slug;
