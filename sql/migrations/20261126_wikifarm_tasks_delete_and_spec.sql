-- WikiFarm Provisioner v2: deletion tasks and a durable request spec.
--   * wikifarm_tasks.type gains 'delete_wiki' (DELETE /provisioner/v1/wikis/{slug});
--   * wikifarm_tasks.spec (JSON text, nullable) holds the request extras — e.g. the template name — in the
--     task row itself, so losing Redis can never change what a queued task builds.
-- Idempotent: safe to run again. The provisioner detects it at start-up; without it, deletes answer
-- 501 migration_required and creates with a named template are refused (the default template still works).

ALTER TABLE wikifarm_tasks MODIFY type ENUM('create_wiki','delete_wiki') NOT NULL;
ALTER TABLE wikifarm_tasks ADD COLUMN IF NOT EXISTS spec TEXT NULL AFTER message;
