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
  /**
   * Progress renews the lease at once, but at most this often: a verifier tells it after every chunk it reads, and
   * a second click should see where it is now, not up to a heartbeat ago.
   */
  progressEveryMs?: number;
}

/** Where a job says how far it is; cheap to call often (the runner throttles what it writes). */
export type JobProgress = (line: string) => void;

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
  return (
    `<@${held.startedBy}> started *${title}* at ${at} UTC and it is still running (${elapsed(held.startedAt, now)} so far${progress}). ` +
    'Only one runs at a time, across every replica of the bot: its outcome will appear in the thread. An approver can cancel it from its card.'
  );
}

export function createExclusiveRunner(deps: ExclusiveDeps) {
  const ttlMs = deps.ttlMs ?? 30_000;
  const heartbeatMs = deps.heartbeatMs ?? 5_000;
  const progressEveryMs = deps.progressEveryMs ?? 500;
  return {
    held: (name: string) => currentLease(deps.db, name, deps.now()),
    cancel: (name: string, by: string) => requestCancel(deps.db, name, by, deps.now()),
    async run<T>(
      job: { name: string; startedBy: string; runId?: string },
      work: (signal: AbortSignal, progress: JobProgress) => Promise<T>,
    ): Promise<ExclusiveResult<T>> {
      const took = await acquireLease(deps.db, { ...job, holder: deps.holder, now: deps.now(), ttlMs });
      if (!took.ok) return took;
      const stop = new AbortController();
      let latest: string | undefined;
      // The first progress is written at once: a click right after the start already sees where it is.
      let lastWrite = Number.NEGATIVE_INFINITY;
      let writing: Promise<void> | undefined;
      const write = async (): Promise<void> => {
        lastWrite = deps.now().getTime();
        const heard = `last heard from replica ${deps.holder} at ${deps.now().toISOString().slice(11, 19)} UTC`;
        try {
          const r = await renewLease(deps.db, job.name, deps.holder, latest ? `${latest}; ${heard}` : heard, deps.now(), ttlMs);
          if (!r) stop.abort(new Error('lost the lease (the state database was unreachable for too long)'));
          else if (r.cancelRequestedBy) stop.abort(new JobCancelled(r.cancelRequestedBy));
        } catch {
          // the next beat tries again; the lease lapses only after ttlMs
        } finally {
          writing = undefined;
        }
      };
      // One write at a time: a slow state database must not pile up renewals behind a fast verifier.
      const renew = (): void => void (writing ??= write());
      const beat = setInterval(renew, heartbeatMs);
      const progress: JobProgress = (line) => {
        latest = line;
        if (deps.now().getTime() - lastWrite >= progressEveryMs) renew();
      };
      try {
        return { ok: true, value: await work(stop.signal, progress) };
      } finally {
        clearInterval(beat);
        // A renewal still in flight must land before the release, or it could outlive it.
        await writing;
        await releaseLease(deps.db, job.name, deps.holder).catch(() => undefined);
      }
    },
  };
}

export type ExclusiveRunner = ReturnType<typeof createExclusiveRunner>;
