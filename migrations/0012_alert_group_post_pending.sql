-- Alert group messages go through the one Slack egress (issue 14/16): a group whose first post may have reached Slack
-- unrecorded (the replica died between Slack's answer and saving the ts) is read back from the channel, by the group
-- key in the message's metadata, before it is posted again.
ALTER TABLE alert_groups ADD COLUMN post_pending boolean NOT NULL DEFAULT false;
