-- A click's or command's request key is looked up on every save-first click (a redelivery is applied once):
-- an index on the key, for the rows that carry one, keeps that lookup off a scan of the run's events.
CREATE INDEX events_request_key ON events (run_id, (data->>'requestKey')) WHERE (data->>'requestKey') IS NOT NULL;
