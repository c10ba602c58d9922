-- The kinds of what a check found (e.g. a /ready `outbox_dead`): the remediation placement (src/remediation/placement.ts)
-- offers a fix on the gate whose check shows the finding, and accepts a click only there.
ALTER TABLE gate_checks ADD COLUMN findings jsonb NOT NULL DEFAULT '[]'::jsonb;
