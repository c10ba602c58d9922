-- Durable schedules (issue 17): watch ticks of a run's open gate, the reminder sweep, and a channel's scheduled
-- status. Each row is one job, due at `next_at` (a time of the bot's injected clock, so tests control time), with
-- its own remembered state (last check statuses, last report). One runner across replicas: the holder of the
-- `scheduler` lease; every write of a job's outcome checks the lease's fence in the same transaction.
CREATE TABLE schedules (
  kind         text NOT NULL CHECK (kind IN ('watch', 'reminders', 'status')),
  -- The run (watch), 'all' (reminders) or the channel (status).
  key          text NOT NULL,
  channel_id   text,
  interval_ms  integer NOT NULL CHECK (interval_ms > 0),
  next_at      timestamptz NOT NULL,
  state        jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by   text,
  created_at   timestamptz NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE INDEX schedules_due ON schedules (next_at);

CREATE TABLE scheduler_lease (
  name    text PRIMARY KEY,
  holder  text,
  until   timestamptz,
  fence   bigint NOT NULL DEFAULT 0
);
INSERT INTO scheduler_lease (name) VALUES ('scheduler');

-- A reminder is written once per quiet spell (run, stage, quiet since), whichever replica runs the sweep.
CREATE UNIQUE INDEX events_one_reminder ON events (run_id, (data->>'stage'), (data->>'since')) WHERE type = 'reminder';
