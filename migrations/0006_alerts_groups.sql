-- Alertmanager notifications: one row per alert group (Alertmanager's groupKey) with the one Slack message that shows
-- it, and one row per alert in it. Notifications repeat and may arrive out of order: the rows keep the newest state.
CREATE TABLE alert_groups (
  group_key          text PRIMARY KEY,
  channel_id         text NOT NULL,
  receiver           text NOT NULL,
  group_labels       jsonb NOT NULL DEFAULT '{}'::jsonb,
  external_url       text NOT NULL DEFAULT '',
  truncated_alerts   integer NOT NULL DEFAULT 0,
  message_ts         text,
  -- Bumped by every notification that changed something; the message shows `delivered_version`.
  version            integer NOT NULL DEFAULT 1,
  delivered_version  integer NOT NULL DEFAULT 0,
  -- The one replica posting or updating this group's message, so a group is never posted twice.
  locked_by          text,
  locked_until       timestamptz,
  last_error         text,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL
);
CREATE INDEX alert_groups_undelivered ON alert_groups (updated_at) WHERE delivered_version < version;

CREATE TABLE alerts (
  group_key    text NOT NULL REFERENCES alert_groups (group_key),
  fingerprint  text NOT NULL,
  name         text NOT NULL,
  status       text NOT NULL CHECK (status IN ('firing', 'resolved')),
  severity     text,
  component    text,
  summary      text,
  labels       jsonb NOT NULL,
  annotations  jsonb NOT NULL,
  starts_at    timestamptz NOT NULL,
  ends_at      timestamptz,
  channel_id   text NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (group_key, fingerprint)
);
CREATE INDEX alerts_firing_by_channel ON alerts (channel_id) WHERE status = 'firing';
