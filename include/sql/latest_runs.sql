-- The latest sync run of every entity: when, how it ended, how many errors.
-- Portable SQL (SQLite and PostgreSQL).
SELECT r.entity,
       r.id          AS run_id,
       r.started_at,
       r.ended_at,
       r.status,
       r.dry_run,
       (SELECT COUNT(*) FROM sync_errors e WHERE e.run_id = r.id) AS errors
FROM sync_runs r
WHERE r.id = (SELECT MAX(r2.id) FROM sync_runs r2 WHERE r2.entity = r.entity)
ORDER BY r.entity;
