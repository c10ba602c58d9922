-- Issue 17: named environments and App Home.

-- Which Caracal deployment a run recovers and a status report checked. Rows from before are the default
-- environment's (the single-environment configuration becomes the environment named by `defaultEnvironment`).
ALTER TABLE runs ADD COLUMN environment text NOT NULL DEFAULT 'default';
ALTER TABLE reports ADD COLUMN environment text NOT NULL DEFAULT 'default';
-- App Home shows the last complete report of each environment.
CREATE INDEX reports_last_per_environment ON reports (environment, created_at DESC) WHERE complete;
-- App Home lists the open runs.
CREATE INDEX runs_active ON runs (started_at DESC, id) WHERE status = 'active';

-- Each person's Home tab, shared by every replica: the page they look at, and whether it is behind the runs.
-- A change to any run marks every Home as wanted; a publisher of any replica takes a batch under a short lease and
-- publishes each once (views.publish), however many changes came in between: the updates are coalesced here.
CREATE TABLE home_views (
  user_id           text PRIMARY KEY,
  page              integer NOT NULL DEFAULT 0,
  wanted_at         timestamptz NOT NULL DEFAULT now(),
  published_at      timestamptz,
  locked_by         text,
  locked_until      timestamptz,
  attempts          integer NOT NULL DEFAULT 0,
  last_error        text
);
CREATE INDEX home_views_behind ON home_views (wanted_at) WHERE published_at IS NULL OR published_at < wanted_at;
