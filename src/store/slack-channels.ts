// Per-channel Slack state shared by every replica: the posting pace (Slack allows about one message per second
// per channel) and a pause while Slack refuses the whole channel or workspace.
import type { Queryable } from './db.ts';

/**
 * Reserve the channel's next posting slot, `intervalMs` after the previous one (or now): returns when to post.
 * Atomic across replicas, so two replicas posting in one channel share its rate instead of doubling it.
 */
/**
 * Take the channel's next posting slot only if it is at most `maxWaitMs` away; otherwise take nothing and say how far
 * it is (a caller that comes back later must not push the channel's queue further out each time it asks).
 */
export async function reserveSlotWithin(
  q: Queryable,
  channelId: string,
  intervalMs: number,
  maxWaitMs: number,
): Promise<{ slot: Date } | { waitMs: number }> {
  await q.query('INSERT INTO slack_channels (channel_id) VALUES ($1) ON CONFLICT (channel_id) DO NOTHING', [channelId]);
  const [taken] = (
    await q.query<{ slot: Date }>(
      `UPDATE slack_channels SET next_slot = GREATEST(next_slot, now()) + ($2::int * interval '1 millisecond')
       WHERE channel_id = $1 AND GREATEST(next_slot, now()) <= now() + ($3::int * interval '1 millisecond')
       RETURNING next_slot - ($2::int * interval '1 millisecond') AS slot`,
      [channelId, intervalMs, Math.round(maxWaitMs)],
    )
  ).rows;
  if (taken) return { slot: new Date(taken.slot) };
  const [row] = (
    await q.query<{ ms: number }>(
      `SELECT extract(epoch FROM next_slot - now())::float8 * 1000 AS ms FROM slack_channels WHERE channel_id = $1`,
      [channelId],
    )
  ).rows;
  return { waitMs: Math.max(1, Math.round(row?.ms ?? 1)) };
}

export async function reserveSlot(q: Queryable, channelId: string, intervalMs: number): Promise<Date> {
  const [row] = (
    await q.query<{ slot: Date }>(
      `INSERT INTO slack_channels (channel_id, next_slot) VALUES ($1, now() + ($2::int * interval '1 millisecond'))
       ON CONFLICT (channel_id) DO UPDATE SET next_slot = GREATEST(slack_channels.next_slot, now()) + ($2::int * interval '1 millisecond')
       RETURNING next_slot - ($2::int * interval '1 millisecond') AS slot`,
      [channelId, intervalMs],
    )
  ).rows;
  return new Date(row.slot);
}

/** When a paused channel is probed next: `firstMs` after the first refusal, doubling with each one, at most 5 minutes. */
export function probeBackoffMs(refusals: number, firstMs = 5000): number {
  return Math.min(5 * 60_000, firstMs * 2 ** Math.min(refusals - 1, 8));
}

/**
 * Pause (or keep paused) a channel until the probe `probeInMs(failedProbes)` from now, backing off as probes
 * keep failing. Returns how many times in a row it was refused (1: it was not paused before).
 */
export async function pauseChannel(
  q: Queryable,
  channelId: string,
  error: string,
  probeInMs: (refusals: number) => number,
): Promise<number> {
  const [prev] = (await q.query<{ probes: number }>('SELECT probes FROM slack_channels WHERE channel_id = $1', [channelId])).rows;
  const refusals = (prev?.probes ?? 0) + 1;
  await q.query(
    `INSERT INTO slack_channels AS c (channel_id, paused_error, paused_since, next_probe_at, probes)
         VALUES ($1, $2, now(), now() + ($3::int * interval '1 millisecond'), 1)
       ON CONFLICT (channel_id) DO UPDATE SET paused_error = $2, paused_since = COALESCE(c.paused_since, now()),
         next_probe_at = now() + ($3::int * interval '1 millisecond'), probes = c.probes + 1
`,
    [channelId, error, Math.round(probeInMs(refusals))],
  );
  return refusals;
}

/** A call in the channel succeeded: lift its pause. Returns the error it was paused for, if it was. */
export async function resumeChannel(q: Queryable, channelId: string): Promise<string | undefined> {
  const [row] = (
    await q.query<{ was: string | null }>(
      `UPDATE slack_channels c SET paused_error = NULL, paused_since = NULL, next_probe_at = NULL, probes = 0
       FROM (SELECT paused_error AS was FROM slack_channels WHERE channel_id = $1 AND paused_error IS NOT NULL FOR UPDATE) old
       WHERE c.channel_id = $1 RETURNING old.was`,
      [channelId],
    )
  ).rows;
  return row?.was ?? undefined;
}

export interface PausedChannel {
  channelId: string;
  error: string;
  since: Date;
  probes: number;
}

export async function pausedChannels(q: Queryable): Promise<PausedChannel[]> {
  return (
    await q.query<{ channel_id: string; paused_error: string; paused_since: Date; probes: number }>(
      'SELECT channel_id, paused_error, paused_since, probes FROM slack_channels WHERE paused_error IS NOT NULL ORDER BY paused_since',
    )
  ).rows.map((r) => ({ channelId: r.channel_id, error: r.paused_error, since: new Date(r.paused_since), probes: r.probes }));
}
