-- Check results are ordered by when their run started (a slow old run must not overwrite a newer failure).
ALTER TABLE gate_checks ADD COLUMN started_at timestamptz;
UPDATE gate_checks SET started_at = finished_at;
ALTER TABLE gate_checks ALTER COLUMN started_at SET NOT NULL;
