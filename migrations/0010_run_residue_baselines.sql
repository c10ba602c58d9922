-- The residue baseline of each recovery run: what Caracal's only-growing stores (.dead streams, Audit DLQ integrity
-- entries, STS compile_errors, Audit tamper counters) held when the run started. Written with the run, never changed.
CREATE TABLE run_baselines (
  run_id    text PRIMARY KEY REFERENCES runs (id),
  taken_at  timestamptz NOT NULL,
  baseline  jsonb NOT NULL
);
