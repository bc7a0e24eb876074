-- Documents changed in Focus after they were booked: never re-posted, correct them in the tool by hand.
SELECT i.entity, d.kind, d.number, d.document_date, d.booking_number, d.last_seen_at
FROM documents d
LEFT JOIN integrations i ON i.id = d.integration_id
WHERE d.state = 'booked' AND d.booked_hash IS NOT NULL AND d.booked_hash <> d.content_hash
ORDER BY i.entity, d.document_date;
