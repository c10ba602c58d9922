-- The schema version of each event's data (src/domain/events.ts): rows written before it are version 1, the shapes
-- that were written then. A reader refuses a version it does not know instead of guessing at its shape.
ALTER TABLE events ADD COLUMN v smallint NOT NULL DEFAULT 1;
