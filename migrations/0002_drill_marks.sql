-- A drill mark (fault injected, alert fired, recovered) is recorded once per run, even under double clicks.
CREATE UNIQUE INDEX events_one_drill_mark ON events (run_id, (data->>'marker')) WHERE type = 'drill_marker';
