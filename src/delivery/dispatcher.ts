// Delivers the outbox to Slack: which runs this process delivers, and when. Each run with something due is
// leased and delivered on its own (run-delivery.ts does one run's pass: dashboard, then thread entries, fenced by
// the lease), so a run that waits never holds back another; a poke after new work, a poll for retries and work
// queued by other replicas, and a bounded stop that leaves unfinished rows to the next replica.
import type { WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Db } from '../store/db.ts';
import { claimRuns, releaseRun, type Lease } from '../store/deliveries.ts';
import { createDashboardPoster } from './dashboard-post.ts';
import { LeaseLost, type RunRenderer } from './delivery-types.ts';
import { createPacer, type Pacer } from './pacer.ts';
import { passLoop } from './pass-loop.ts';
import { createRunDelivery } from './run-delivery.ts';

export type { RunRenderer } from './delivery-types.ts';

export interface DispatcherDeps {
  db: Db;
  client: WebClient;
  render: RunRenderer;
  logger: Logger;
  metrics: Metrics;
  workerId: string;
  leaseMs?: number;
  /** After a poke, wait this long so a burst of transitions becomes one dashboard update. */
  settleMs?: number;
  /** Deliveries per run per pass: the lease is renewed while it works, and the rest waits for the next pass. */
  batch?: number;
  /** Runs delivered side by side at most (each run's own messages stay in order). */
  runsPerPass?: number;
  /**
   * Time one run's pass may spend posting paced thread entries before it yields, so the dashboard (updated first
   * in every pass) stays current while a long thread drains at Slack's pace.
   */
  passBudgetMs?: number;
  /** Between two posts in one channel (Slack: about 1 per second sustained); 0 in unit tests. */
  postIntervalMs?: number;
  /** The process's one pacer (shared with the egress and alerts); built from postIntervalMs when not given. */
  pacer?: Pacer;
  /** First probe of a paused channel after this long, then backing off up to 5 minutes. */
  pauseProbeMs?: number;
  /** The bot's own bot_id: read-back trusts only its messages. */
  botId?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export function createDispatcher(deps: DispatcherDeps) {
  const { db, client, metrics, workerId } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const batch = deps.batch ?? 25;
  const now = deps.now ?? Date.now;
  const random = deps.random ?? Math.random;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const log = deps.logger.child({ component: 'dispatcher', workerId });
  const pacer = deps.pacer ?? createPacer({ db, postIntervalMs: deps.postIntervalMs ?? 1000, now, sleep });
  const dashboards = createDashboardPoster({ db, client, metrics, logger: log, ...(deps.botId ? { botId: deps.botId } : {}) });
  let draining = false;
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let interval: NodeJS.Timeout | undefined;

  // One run's pass; `stopping` makes it give up at its next Slack call (see stop()).
  const runs = createRunDelivery({
    db,
    client,
    render: deps.render,
    metrics,
    logger: log,
    pacer,
    dashboards,
    now,
    random,
    batch,
    leaseMs,
    passBudgetMs: deps.passBudgetMs ?? 2000,
    pauseProbeMs: deps.pauseProbeMs,
    botId: deps.botId,
    isStopping: () => stopping,
  });

  /**
   * The runs this process is delivering, each on its own: a run that waits (its channel's pace, a slow Slack) never
   * holds back another run's messages, and a run whose work is done makes room for the next at once.
   */
  const working = new Map<string, Promise<void>>();
  const capacity = deps.runsPerPass ?? 50;

  async function deliverLeased(lease: Lease): Promise<void> {
    let failed = false;
    try {
      await runs.deliverRun(lease);
    } catch (err) {
      if (err instanceof LeaseLost)
        log.warn({ runId: lease.runId, reason: err.message }, 'delivery lease lost; another replica carries on');
      else log.error({ err, runId: lease.runId }, 'delivery pass failed');
      failed = !(err instanceof LeaseLost);
    } finally {
      await releaseRun(db, lease).catch(() => undefined);
      working.delete(lease.runId);
    }
    // Look again once a run is done: it may have more due (a full batch), and entries queued while it was being
    // delivered were left out of the claims made meanwhile. Only runs with something deliverable are claimed, so
    // this ends; after a failure (the database) it is left to the next poll instead of retried at once.
    if (!draining && !failed) void passes.run();
  }

  /** Lease the runs with something due that this process is not delivering already, and start each. */
  async function claim(): Promise<void> {
    const room = capacity - working.size;
    if (room <= 0) return;
    const claimedAt = now();
    const leases = await claimRuns(db, workerId, room, leaseMs, [...working.keys()]);
    for (const lease of leases) {
      runs.claimed(lease, claimedAt);
      working.set(lease.runId, deliverLeased(lease));
    }
  }

  /** Claims run one at a time in this process (two at once could lease a run twice); deliveries run side by side. */
  const passes = passLoop(
    claim,
    (err) => log.error({ err }, 'dispatcher pass failed'),
    () => draining,
  );

  /** Deliver what is due now; resolves when nothing this process started is still being delivered. */
  async function runNow(): Promise<void> {
    do {
      await passes.run();
      await Promise.all(working.values());
    } while (working.size > 0 || passes.inFlight());
  }

  return {
    /** Something was queued: deliver soon (after a short settle, so bursts coalesce). */
    poke(): void {
      if (timer || draining) return;
      timer = setTimeout(() => {
        timer = undefined;
        void passes.run();
      }, deps.settleMs ?? 50);
    },
    /** Deliver what is due now; resolves when nothing this process started is still being delivered (tests, flush). */
    runNow,
    /**
     * Poll for due deliveries (retries, and work queued by other replicas). A poll only claims: it never waits for
     * the deliveries it starts, so polls cannot pile up behind a busy outbox.
     */
    start(pollMs = 500): void {
      stopping = false;
      draining = false;
      interval ??= setInterval(() => void passes.run(), pollMs);
    },
    /**
     * Stop polling and wait for the pass in flight, at most `graceMs`: after that the pass gives up at its next
     * call (its lease lapses and the rows stay pending for the next replica).
     */
    async stop(graceMs = 20_000): Promise<void> {
      draining = true;
      if (interval) clearInterval(interval);
      if (timer) clearTimeout(timer);
      interval = undefined;
      timer = undefined;
      if (!passes.inFlight() && working.size === 0) return;
      const inflight = Promise.all([passes.inFlight(), ...working.values()]);
      let t: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (t = setTimeout(() => r('late'), graceMs)));
      const outcome = await Promise.race([inflight.then(() => 'done' as const), late]);
      clearTimeout(t);
      stopping = true;
      if (outcome === 'late') log.warn({ graceMs }, 'delivery pass still running at shutdown; leaving its rows for the next replica');
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
