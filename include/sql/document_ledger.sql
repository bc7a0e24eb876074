-- The booked-document ledger by entity, kind and state (kept when an integration is deleted).
SELECT COALESCE(i.entity, '(deleted integration)') AS entity,
       d.target,
       d.kind,
       d.state,
       COUNT(*)            AS documents,
       MIN(d.document_date) AS first_date,
       MAX(d.document_date) AS last_date
FROM documents d
LEFT JOIN integrations i ON i.id = d.integration_id
GROUP BY COALESCE(i.entity, '(deleted integration)'), d.target, d.kind, d.state
ORDER BY 1, 2, 3, 4;
