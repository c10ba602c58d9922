-- One Slack egress (issue 14).
-- Fencing token of the delivery lease: every claim draws a new one, and every write of a delivery's outcome is
-- conditioned on it, so a replica that lost its lease (a slow pass, a pause) can neither mark nor send.
ALTER TABLE runs ADD COLUMN delivery_fence bigint NOT NULL DEFAULT 0;

-- A message Slack refused (invalid_blocks, msg_too_long…): the entry is failed alone and a short placeholder takes
-- its place in the thread. Set before the placeholder is posted, so a crash in between posts the placeholder.
ALTER TABLE deliveries ADD COLUMN refused text;

-- Per-channel state shared by every replica: the next free posting slot (Slack's ~1 message/s per channel), and
-- a pause while Slack refuses the whole channel or workspace (invalid_auth, not_in_channel…), probed until it
-- answers again. Queued deliveries of a paused channel stay pending: never dropped.
CREATE TABLE slack_channels (
  channel_id     text PRIMARY KEY,
  next_slot      timestamptz NOT NULL DEFAULT now(),
  paused_error   text,
  paused_since   timestamptz,
  next_probe_at  timestamptz,
  probes         integer NOT NULL DEFAULT 0
);

-- Retention deletes by age: delivered rows and old reports, oldest first, without a sequential scan.
CREATE INDEX deliveries_done_at ON deliveries (delivered_at) WHERE status <> 'pending';
CREATE INDEX reports_created_at ON reports (created_at);

-- A run whose first dashboard post may have reached Slack unrecorded: read the channel back before posting again.
ALTER TABLE runs ADD COLUMN dashboard_pending boolean NOT NULL DEFAULT false;

-- A status report whose final update has not reached Slack yet ("Checking…" would stay for good): retried by the
-- report sweeper of any replica until Slack shows it.
ALTER TABLE reports ADD COLUMN shown boolean NOT NULL DEFAULT true;
ALTER TABLE reports ADD COLUMN show_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN next_show_at timestamptz;
CREATE INDEX reports_unshown ON reports (next_show_at) WHERE NOT shown;
