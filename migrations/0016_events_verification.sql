-- Every decision reads its run with the run's latest deep verification and that verification's acknowledgements
-- (store/verifications.ts). Without these, a run with no verification yet (every run before Safety) had the whole
-- of its log scanned on every click: the longer the incident, the slower each click.
CREATE INDEX events_verifications ON events (run_id, id) WHERE type = 'action_finished' AND (data->>'action') = 'audit.verify_chain';
CREATE INDEX events_finding_acks ON events (run_id, (data->>'verificationEventId')) WHERE type = 'finding_acknowledged';
