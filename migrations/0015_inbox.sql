-- Requests saved before their ack (issue 14 item 8). A click or command that only writes to the bot's database is
-- one row here by the time Slack gets its ack: the replica that saved it handles it at once and deletes the row; a
-- row whose hold ran out (its replica was killed after the ack) is handled by whichever replica sweeps first.
-- The body is Slack's own request payload (without the clicked message's blocks), so handling it later is handling
-- the same request; a handler applied twice is answered as the first time (events' request keys, 0013).
CREATE TABLE inbox (
  id uuid PRIMARY KEY,
  route text NOT NULL,
  body jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  held_until timestamptz NOT NULL,
  attempts integer NOT NULL DEFAULT 0
);
CREATE INDEX inbox_held_until ON inbox (held_until);
