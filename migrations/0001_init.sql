-- caracal-chatops state: recovery runs, their gates, approvals, the append-only event log,
-- and the outbox of Slack deliveries. Never in Caracal's database.

CREATE TABLE runs (
  id            text PRIMARY KEY,
  channel_id    text NOT NULL,
  title         text NOT NULL,
  kind          text NOT NULL DEFAULT 'recovery' CHECK (kind IN ('recovery', 'drill')),
  scenario      text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'resumed', 'cancelled')),
  started_by    text NOT NULL,
  started_at    timestamptz NOT NULL,
  ended_at      timestamptz,
  dashboard_ts  text,
  version       integer NOT NULL DEFAULT 1,
  -- Lease of the one dispatcher (of any replica) delivering this run's Slack messages, so they stay in order.
  delivery_locked_by     text,
  delivery_locked_until  timestamptz
);
-- One active run per channel: a second `/caracal recover` points at the first.
CREATE UNIQUE INDEX runs_one_active_per_channel ON runs (channel_id) WHERE status = 'active';

CREATE TABLE gates (
  run_id      text NOT NULL REFERENCES runs (id),
  gate        text NOT NULL CHECK (gate IN ('freeze', 'storage', 'services', 'evidence', 'safety', 'resume')),
  position    integer NOT NULL,
  status      text NOT NULL CHECK (status IN ('locked', 'open', 'confirmed', 'overridden')),
  claimed_by  text,
  claimed_at  timestamptz,
  done_by     text,
  done_at     timestamptz,
  opened_at   timestamptz,
  checklist   jsonb NOT NULL DEFAULT '{}'::jsonb,
  version     integer NOT NULL DEFAULT 1,
  PRIMARY KEY (run_id, gate)
);

-- The latest result of each check of a gate; the full history is in events.
CREATE TABLE gate_checks (
  run_id       text NOT NULL,
  gate         text NOT NULL,
  check_id     text NOT NULL,
  status       text NOT NULL,
  summary      text NOT NULL,
  finished_at  timestamptz NOT NULL,
  PRIMARY KEY (run_id, gate, check_id),
  FOREIGN KEY (run_id, gate) REFERENCES gates (run_id, gate)
);

-- Confirm votes (gates needing several approvers) and override requests with their second approver.
CREATE TABLE approvals (
  id            text PRIMARY KEY,
  run_id        text NOT NULL,
  gate          text NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('confirm', 'override')),
  requested_by  text NOT NULL,
  reason        text,
  status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'counted')),
  decided_by    text,
  created_at    timestamptz NOT NULL,
  decided_at    timestamptz,
  FOREIGN KEY (run_id, gate) REFERENCES gates (run_id, gate)
);
-- A person's confirm vote counts once per gate; one pending override per gate at a time.
CREATE UNIQUE INDEX approvals_one_vote ON approvals (run_id, gate, requested_by) WHERE kind = 'confirm';
CREATE UNIQUE INDEX approvals_one_pending_override ON approvals (run_id, gate) WHERE kind = 'override' AND status = 'pending';

CREATE TABLE events (
  id        bigserial PRIMARY KEY,
  run_id    text NOT NULL REFERENCES runs (id),
  at        timestamptz NOT NULL,
  actor     text NOT NULL,
  type      text NOT NULL,
  gate      text,
  data      jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX events_by_run ON events (run_id, id);

-- Outbox of Slack deliveries, written in the same transaction as the state change they project.
CREATE TABLE deliveries (
  id               bigserial PRIMARY KEY,
  run_id           text NOT NULL REFERENCES runs (id),
  kind             text NOT NULL CHECK (kind IN ('dashboard', 'thread')),
  event_id         bigint REFERENCES events (id),
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  message_ts       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);
CREATE INDEX deliveries_due ON deliveries (run_id, id) WHERE status = 'pending';
CREATE UNIQUE INDEX deliveries_one_per_event ON deliveries (event_id) WHERE kind = 'thread';

-- Status reports, so Re-run and Details work on any replica and after a restart.
CREATE TABLE reports (
  id          text PRIMARY KEY,
  channel_id  text NOT NULL,
  message_ts  text,
  view        jsonb NOT NULL,
  complete    boolean NOT NULL DEFAULT false,
  run_id      text,
  created_at  timestamptz NOT NULL DEFAULT now()
);

-- Counters remembered between check runs (Caracal's tamper and reload counters only grow).
CREATE TABLE baselines (
  key    text PRIMARY KEY,
  value  double precision NOT NULL,
  at     timestamptz NOT NULL
);
