-- What needs attention: the errors of each entity's latest run, per document.
SELECT r.entity,
       e.document_number,
       e.code,
       e.field,
       e.message
FROM sync_errors e
JOIN sync_runs r ON r.id = e.run_id
WHERE r.id = (SELECT MAX(r2.id) FROM sync_runs r2 WHERE r2.entity = r.entity)
ORDER BY r.entity, e.document_number, e.id;
