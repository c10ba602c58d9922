// The durable scheduler: jobs are rows in the state database (src/store/schedules.ts), due by the injected clock.
// One replica at a time runs them, the holder of the scheduler lease; each job writes its outcome (events, outbox
// deliveries, its next time) in one transaction that first checks the lease's fence. A replica killed mid-job
// wrote nothing, so the next holder runs the job again: no post is lost; a replica that lost its lease cannot
// commit, and what committed is delivered by the outbox exactly once: no post is doubled.
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db, Queryable } from '../store/db.ts';
import {
  advanceSchedule,
  assertLease,
  dueSchedules,
  dueSummary,
  ensureStandingJobs,
  holdSchedulerLease,
  releaseSchedulerLease,
  SchedulerLeaseLost,
  type Schedule,
  type ScheduleKind,
  type SchedulerLease,
} from '../store/schedules.ts';

export interface JobContext {
  now: Date;
  /** One transaction that writes only while this replica still holds the lease it ran the job under. */
  commit<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
}

export type Job = (schedule: Schedule, ctx: JobContext) => Promise<void>;

export interface SchedulerDeps {
  db: Db;
  workerId: string;
  now: () => Date;
  logger: Logger;
  jobs: Record<ScheduleKind, Job>;
  /** First watch tick of a run after it is found active, and the reminder sweep's interval. */
  watchFirstMs: number;
  sweepMs: number;
  leaseMs?: number;
  /** Jobs per pass: the rest is due in the next pass. */
  batch?: number;
  /** After a job threw: try it again this much later (its state is unchanged). */
  retryMs?: number;
  /** Something was queued for Slack: deliver now rather than at the dispatcher's next poll. */
  onQueued?: () => void;
  metrics?: Pick<Metrics, 'scheduleJobs' | 'observeScheduleDue'>;
}

export function createScheduler(deps: SchedulerDeps) {
  const { db, workerId } = deps;
  const leaseMs = deps.leaseMs ?? 60_000;
  const log = deps.logger.child({ component: 'scheduler', workerId });
  let lease: SchedulerLease | undefined;
  let running: Promise<number> | undefined;
  let interval: NodeJS.Timeout | undefined;
  let stopping = false;

  function context(held: SchedulerLease, now: Date): JobContext {
    return {
      now,
      commit: async (fn) => {
        if (stopping) throw new SchedulerLeaseLost('stopping');
        const out = await db.transaction(async (tx) => {
          await assertLease(tx, held);
          return fn(tx);
        });
        deps.onQueued?.();
        return out;
      },
    };
  }

  /** One pass: hold the lease, then run what is due, oldest first. Resolves to the number of jobs run. */
  async function pass(): Promise<number> {
    const now = deps.now();
    lease = await holdSchedulerLease(db, workerId, now, leaseMs);
    if (!lease) {
      deps.metrics?.observeScheduleDue([], now);
      return 0;
    }
    await ensureStandingJobs(db, now, deps.watchFirstMs, deps.sweepMs);
    // Counted over every due job, not just this pass's batch: a backlog beyond the batch must show.
    if (deps.metrics) deps.metrics.observeScheduleDue(await dueSummary(db, now), now);
    const due = await dueSchedules(db, now, deps.batch ?? 200);
    let ran = 0;
    for (const schedule of due) {
      if (stopping) break;
      // Renewed before each job: a job is bounded by its checks' timeouts, well under the lease.
      const held = await holdSchedulerLease(db, workerId, deps.now(), leaseMs);
      if (!held) break;
      lease = held;
      try {
        await deps.jobs[schedule.kind](schedule, context(held, deps.now()));
        ran++;
        deps.metrics?.scheduleJobs.inc({ kind: schedule.kind, outcome: 'run' });
      } catch (err) {
        if (err instanceof SchedulerLeaseLost) {
          log.warn({ kind: schedule.kind, key: schedule.key }, 'scheduler lease lost; another replica runs the schedules');
          break;
        }
        deps.metrics?.scheduleJobs.inc({ kind: schedule.kind, outcome: 'failed' });
        log.error({ err, kind: schedule.kind, key: schedule.key }, 'scheduled job failed; trying it again later');
        const later = new Date(deps.now().getTime() + (deps.retryMs ?? 30_000));
        await context(held, deps.now())
          .commit((tx) => advanceSchedule(tx, schedule.kind, schedule.key, later, schedule.state))
          .catch(() => undefined);
      }
    }
    return ran;
  }

  /** Run a pass now (one at a time in this process); tests call it after moving their clock. */
  function runNow(): Promise<number> {
    running ??= pass()
      .catch((err: unknown) => {
        log.error({ err }, 'scheduler pass failed');
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  }

  return {
    runNow,
    start(pollMs = 5000): void {
      stopping = false;
      interval ??= setInterval(() => void runNow(), pollMs);
      interval.unref();
    },
    /** Stop polling, let the pass in flight end (its next write is refused), and hand the lease on at once. */
    async stop(): Promise<void> {
      if (interval) clearInterval(interval);
      interval = undefined;
      stopping = true;
      await running;
      if (lease) await releaseSchedulerLease(db, lease).catch(() => undefined);
      lease = undefined;
    },
    /** Test hook: the process dies here, without a word to the database (its lease simply runs out). */
    abandon(): void {
      if (interval) clearInterval(interval);
      interval = undefined;
      stopping = true;
    },
  };
}

export type Scheduler = ReturnType<typeof createScheduler>;
