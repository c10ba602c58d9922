// Is anyone still reading a Gateway revocation group? Pure judgment over what Redis reports (caracal-ops.md §15.3).
// Redis 7.2+ reports `inactive` (time since the last *attempted* read): a direct answer. Before 7.2 there is only
// `idle` (time since the last *successful* read), which grows on every quiet stream, so it only means something
// while the group has entries waiting to be delivered: a live consumer would have taken them.

export interface ActivityInput {
  /** Per consumer: `idle` ms, and `inactive` ms when the server reports it (7.2+; -1 = never tried). */
  consumers: readonly { idleMs: number; inactiveMs: number | undefined }[];
  /** Age in ms of the oldest entry not yet delivered to the group; undefined when nothing waits. */
  oldestUndeliveredAgeMs: number | undefined;
  thresholdMs: number;
}

export type Activity = { live: true; basis: string } | { live: false; reason: string };

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** Whether the server reports `inactive` for these consumers (decided from the reply, not the version string). */
export function hasInactive(consumers: ActivityInput['consumers']): boolean {
  return consumers.length > 0 && consumers.every((c) => c.inactiveMs !== undefined);
}

export function judgeActivity(input: ActivityInput): Activity {
  const { consumers, thresholdMs } = input;
  if (consumers.length === 0) return { live: false, reason: 'no consumer' };
  if (hasInactive(consumers)) {
    const tried = consumers.map((c) => c.inactiveMs!).filter((ms) => ms >= 0);
    const freshest = Math.min(Infinity, ...tried);
    if (freshest <= thresholdMs) return { live: true, basis: `a consumer tried to read ${seconds(freshest)} ago` };
    if (!Number.isFinite(freshest)) return { live: false, reason: 'no consumer ever tried to read' };
    return { live: false, reason: `no consumer tried to read for ${seconds(freshest)}` };
  }
  const waiting = input.oldestUndeliveredAgeMs;
  // Nothing waits: a quiet group with nothing to deliver is healthy whatever `idle` says.
  if (waiting === undefined) return { live: true, basis: 'nothing waiting to be delivered' };
  const freshestRead = Math.min(...consumers.map((c) => c.idleMs));
  // Entries wait, but not yet long enough to say nobody reads (or a consumer did read recently).
  if (waiting <= thresholdMs || freshestRead <= thresholdMs) {
    return { live: true, basis: `entries waiting ${seconds(waiting)}, last read ${seconds(freshestRead)} ago` };
  }
  return { live: false, reason: `an entry has waited ${seconds(waiting)} undelivered; last read ${seconds(freshestRead)} ago` };
}
