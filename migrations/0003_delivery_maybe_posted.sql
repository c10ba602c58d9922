-- A delivery whose last attempt may have reached Slack without its result being recorded (the replica died between
-- Slack's answer and the commit, or the call timed out). Before posting it again the dispatcher looks for it in the
-- thread, so a crash does not post a log entry twice.
ALTER TABLE deliveries ADD COLUMN maybe_posted boolean NOT NULL DEFAULT false;
