// One at a time across every replica (issue 18): the deep audit chain verification reads every audit_events row on
// connections of its own to Caracal's Postgres, so overlapping runs multiply the load on the database being
// recovered and slow each other into timeouts. A lease in the state database admits one; a second click is told
// who started the running one, when, and how far it is. The holder renews the lease with its progress and stops
// when someone asks it to (Cancel), or when it loses the lease.
import type { Db } from '../store/db.ts';
import { acquireLease, currentLease, releaseLease, renewLease, requestCancel, type JobLease } from '../store/job-leases.ts';

export interface ExclusiveDeps {
  db: Db;
  /** This replica's id (the dispatcher's worker id). */
  holder: string;
  now: () => Date;
  /** A lease not renewed for this long lapses (the holder died). */
  ttlMs?: number;
  /** How often the holder renews and looks for a cancel request. */
  heartbeatMs?: number;
}

export class JobCancelled extends Error {
  override name = 'JobCancelled';
  constructor(readonly by: string) {
    super(`cancelled by ${by}`);
  }
}

export type ExclusiveResult<T> = { ok: true; value: T } | { ok: false; held: JobLease };

const elapsed = (from: Date, now: Date): string => {
  const s = Math.max(0, Math.round((now.getTime() - from.getTime()) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
};

/** What a second click is told: who started it, when, how far it is. */
export function heldText(title: string, held: JobLease, now: Date): string {
  const at = held.startedAt.toISOString().slice(11, 19);
  const progress = held.progress ? `; ${held.progress}` : '';
  return `<@${held.startedBy}> started *${title}* at ${at} UTC and it is still running (${elapsed(held.startedAt, now)} so far${progress}). ` +
    'Only one runs at a time, across every replica of the bot: its outcome will appear in the thread. An approver can cancel it from its card.';
}

export function createExclusiveRunner(deps: ExclusiveDeps) {
  const ttlMs = deps.ttlMs ?? 30_000;
  const heartbeatMs = deps.heartbeatMs ?? 5_000;
  return {
    held: (name: string) => currentLease(deps.db, name, deps.now()),
    cancel: (name: string, by: string) => requestCancel(deps.db, name, by, deps.now()),
    async run<T>(job: { name: string; startedBy: string; runId?: string }, work: (signal: AbortSignal) => Promise<T>): Promise<ExclusiveResult<T>> {
      const took = await acquireLease(deps.db, { ...job, holder: deps.holder, now: deps.now(), ttlMs });
      if (!took.ok) return took;
      const stop = new AbortController();
      const beat = setInterval(() => {
        renewLease(deps.db, job.name, deps.holder, `last heard from replica ${deps.holder} at ${deps.now().toISOString().slice(11, 19)} UTC`, deps.now(), ttlMs).then(
          (r) => {
            if (!r) stop.abort(new Error('lost the lease (the state database was unreachable for too long)'));
            else if (r.cancelRequestedBy) stop.abort(new JobCancelled(r.cancelRequestedBy));
          },
          () => undefined, // the next beat tries again; the lease lapses only after ttlMs
        );
      }, heartbeatMs);
      try {
        return { ok: true, value: await work(stop.signal) };
      } finally {
        clearInterval(beat);
        await releaseLease(deps.db, job.name, deps.holder).catch(() => undefined);
      }
    },
  };
}

export type ExclusiveRunner = ReturnType<typeof createExclusiveRunner>;
