-- Jobs that run one at a time across every replica (issue 18: the deep audit chain verification). A lease: the
-- holder renews `expires_at` while it works and reports progress; a dead replica's lease lapses. Anyone allowed
-- may ask the holder to stop (`cancel_requested_by`); the holder sees it at its next renewal.
CREATE TABLE exclusive_jobs (
  name                 text PRIMARY KEY,
  holder               text NOT NULL,
  run_id               text,
  started_by           text NOT NULL,
  started_at           timestamptz NOT NULL,
  expires_at           timestamptz NOT NULL,
  progress             text NOT NULL DEFAULT '',
  cancel_requested_by  text
);
