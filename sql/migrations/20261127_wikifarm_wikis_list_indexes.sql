-- WikiFarm Provisioner: indexes that serve the wiki lists' ORDER BY created_at DESC, id DESC with their filters,
-- so a page reads only its own rows instead of sorting every match (the issue measured 1,260 rows filesorted
-- per featured page, and a sort growing with OFFSET).
--   * idx_list_featured — GET /wikis?featured=1: status = 'ready' AND visibility = 'public' AND is_featured = 1.
--     is_featured leads, so the optimizer never takes this index (and a filesort) for the public list below.
--   * idx_list_public   — GET /wikis?featured=0 and GET /wikis/public: status = 'ready' AND visibility = 'public'.
--   * idx_owner_created — GET /users/{id}/wikis: owner_user_id = ?, with or without AND visibility = 'public'
--     (the few rows of one owner are read in order and filtered; no sort either way).
-- Each index ends with the order's columns (id is the primary key, named for clarity), and the service reads
-- deep pages index-only before fetching the page's rows, so OFFSET skips index entries, not rows.
-- Optional and idempotent: the provisioner works without it (slower lists) and never requires it. Online on
-- InnoDB (no table lock); on a large table expect a few seconds per million rows.

ALTER TABLE wikifarm_wikis
  ADD INDEX IF NOT EXISTS idx_list_featured (is_featured, status, visibility, created_at, id),
  ADD INDEX IF NOT EXISTS idx_list_public (status, visibility, created_at, id),
  ADD INDEX IF NOT EXISTS idx_owner_created (owner_user_id, created_at, id),
  ALGORITHM = INPLACE, LOCK = NONE;
