// One run's delivery pass, for the dispatcher (dispatcher.ts), which decides which runs to deliver and when; kept
// apart from that scheduling so each reads (and stays under the file-size rule) on its own. The dashboard is posted
// or updated in place first (many pending updates of one run become one chat.update), then the log entries
// (entry-delivery.ts) as thread replies in order. A message Slack refuses fails alone; an error about the whole
// channel pauses the channel's queue (never drops it) until a probe succeeds; 429 and 5xx stop the pass and retry
// later (Retry-After, backoff with jitter), so a thread is never reordered. A pass works on a bounded batch under a
// lease it renews before each call, and every outcome it writes is fenced by that lease.
import type { RunState } from '../domain/run.ts';
import { answeredBySlack, classifySlackError, retryAfterMs, slackErrorCode } from '../slack/slack-call.ts';
import {
  beginAttempt,
  enqueueDelivery,
  markDelivered,
  markFailed,
  renewLease,
  reschedule,
  takeDue,
  type Delivery,
  type Lease,
} from '../store/deliveries.ts';
import { loadRun } from '../store/runs.ts';
import { pauseChannel, probeBackoffMs, resumeChannel } from '../store/slack-channels.ts';
import type { createDashboardPoster } from './dashboard-post.ts';
import { LeaseLost, type PassDeps, type Stop } from './delivery-types.ts';
import { createEntryDelivery } from './entry-delivery.ts';
import { placeholderDashboard } from './placeholder.ts';
import { postedEntries } from './readback.ts';

/** What a pass needs, resolved by the dispatcher from its own deps (defaults applied there). */
export interface RunDeliveryDeps extends PassDeps {
  dashboards: ReturnType<typeof createDashboardPoster>;
  now: () => number;
  random: () => number;
  /** Deliveries per run per pass. */
  batch: number;
  /** Time one run's pass may spend posting paced thread entries before it yields (see DispatcherDeps). */
  passBudgetMs: number;
  pauseProbeMs?: number | undefined;
  botId?: string | undefined;
  /** The dispatcher is shutting down: a pass gives up at its next Slack call. */
  isStopping: () => boolean;
}

export function createRunDelivery(deps: RunDeliveryDeps) {
  const { db, client, render, metrics, pacer, dashboards, now, random, batch, leaseMs, passBudgetMs, pauseProbeMs, botId, isStopping } =
    deps;
  const log = deps.logger;

  const jitter = (ms: number) => Math.round(ms * (0.5 + random() / 2));
  const backoff = (attempts: number) => jitter(Math.min(60_000, 250 * 2 ** Math.min(attempts, 8)));
  const probeDelay = (refusals: number) => jitter(probeBackoffMs(refusals, pauseProbeMs));

  const renewedAt = new WeakMap<Lease, number>();
  /**
   * Before each Slack call: still ours, with at least two thirds of the lease ahead (a Slack call is bounded by the
   * client's timeout, well under a third of it). Renewed in the database only when a third has gone by.
   */
  async function hold(lease: Lease): Promise<void> {
    if (isStopping()) throw new LeaseLost('shutting down');
    if (now() - (renewedAt.get(lease) ?? 0) < leaseMs / 3) return;
    if (!(await renewLease(db, lease, leaseMs))) throw new LeaseLost('lease lost');
    renewedAt.set(lease, now());
  }

  /** Turn a failed call into when to come back; a channel-wide refusal pauses the channel. */
  async function stopFor(err: unknown, method: string, lease: Lease, d: Delivery | undefined, partlyPosted = false): Promise<Stop> {
    const code = slackErrorCode(err);
    const kind = classifySlackError(err);
    const maybePosted = d && (partlyPosted || !answeredBySlack(err)) ? [d.id] : [];
    if (kind === 'rate') {
      const wait = retryAfterMs(err) ?? 1000;
      pacer.retryAfter(method, lease.channelId, wait);
      log.warn({ runId: lease.runId, method, channel: lease.channelId, retryAfterMs: wait }, 'Slack rate limit: waiting for Retry-After');
      return { delayMs: wait, error: code, maybePosted };
    }
    if (kind === 'channel') {
      const refusals = await pauseChannel(db, lease.channelId, code, probeDelay);
      const line = { runId: lease.runId, channel: lease.channelId, code, refusals };
      if (refusals === 1)
        log.error(line, 'Slack refuses this channel: its deliveries are paused (nothing is dropped) until a probe succeeds');
      else log.warn(line, 'channel still refused; probing again later');
      return { delayMs: probeDelay(refusals), error: code, maybePosted, paused: true };
    }
    const delayMs = backoff(d?.attempts ?? 1);
    log.warn({ runId: lease.runId, method, code, delayMs }, 'Slack call failed; will retry');
    return { delayMs, error: code, maybePosted };
  }

  const { deliverEntry } = createEntryDelivery({ db, client, render, metrics, logger: log, pacer, leaseMs, hold, stopFor });

  /** The dashboard rows: undefined to go on with the thread, or a Stop for the whole pass. */
  async function deliverDashboard(run: RunState, lease: Lease, rows: Delivery[]): Promise<Stop | undefined> {
    const method = run.dashboardTs ? 'chat.update' : 'chat.postMessage';
    const blocked = pacer.blockedFor(method, run.channelId);
    if (blocked > 0) return run.dashboardTs ? undefined : { delayMs: blocked, error: 'ratelimited', maybePosted: [] };
    await hold(lease);
    const ids = rows.map((d) => d.id);
    if (!(await beginAttempt(db, lease, ids))) throw new LeaseLost();
    const renderedVersion = run.version;
    try {
      await dashboards.deliver(run, await render.dashboard(run), () => hold(lease));
    } catch (err) {
      if (err instanceof LeaseLost) throw err;
      const kind = classifySlackError(err);
      if (kind === 'message') {
        log.error({ runId: run.id, code: slackErrorCode(err) }, 'Slack refused the dashboard; showing a placeholder in its place');
        await dashboards
          .deliver(run, placeholderDashboard(slackErrorCode(err)), () => hold(lease))
          .catch((e: unknown) => {
            if (e instanceof LeaseLost) throw e;
          });
        if (!(await markFailed(db, lease, ids, slackErrorCode(err)))) throw new LeaseLost();
        metrics.deliveriesFailed.inc({ reason: slackErrorCode(err) });
        return run.dashboardTs ? undefined : { delayMs: backoff(1), error: slackErrorCode(err), maybePosted: [] };
      }
      const stop = await stopFor(err, method, lease, undefined);
      // The thread can go on under an existing dashboard unless Slack refuses the whole channel.
      if (run.dashboardTs && kind !== 'channel') {
        if (!(await reschedule(db, lease, ids, stop.delayMs, stop.error))) throw new LeaseLost();
        return undefined;
      }
      return stop;
    }
    if (!(await markDelivered(db, lease, ids))) throw new LeaseLost();
    // Another replica may have changed the run while we rendered: make sure the newest state gets shown.
    const latest = await loadRun(db, run.id);
    if (latest && latest.version !== renderedVersion) await enqueueDelivery(db, run.id, 'dashboard');
    return undefined;
  }

  /** One bounded pass over a run (what is left is claimed again at once: see the dispatcher's deliverLeased). */
  async function deliverRun(lease: Lease): Promise<void> {
    const due = await takeDue(db, lease, batch);
    if (due.length === 0) return;
    const run = await loadRun(db, lease.runId);
    if (!run) {
      const ids = due.map((d) => d.id);
      await markFailed(db, lease, ids, 'run not found');
      return;
    }
    let thread: Promise<Map<string, string>> | undefined; // read from Slack at most once per pass, and only if needed
    const earlier = () => (thread ??= postedEntries(client, metrics, log, run.channelId, run.dashboardTs!, botId));
    const done = new Set<number>();
    let stop: Stop | undefined;
    const rows = due.filter((d) => d.kind === 'dashboard');
    if (rows.length > 0 || !run.dashboardTs) {
      stop = await deliverDashboard(run, lease, rows);
      if (!stop) for (const d of rows) done.add(d.id);
    }
    const deadline = now() + passBudgetMs;
    for (const d of due) {
      if (stop) break;
      if (d.kind !== 'thread') continue;
      // Yield: the rest stays due and is claimed again at once, after the dashboard of the next pass.
      if (now() > deadline) break;
      stop = await deliverEntry(run, lease, d, earlier);
      if (!stop) done.add(d.id);
    }
    if (stop) {
      const left = due.filter((d) => !done.has(d.id));
      const maybe = [...stop.maybePosted, ...left.filter((d) => d.maybePosted).map((d) => d.id)];
      const ids = left.map((d) => d.id);
      if (!(await reschedule(db, lease, ids, stop.delayMs, stop.error, maybe))) throw new LeaseLost();
      if (stop.paused) return;
    }
    // Something went through: if the channel was paused, this pass was its probe, and it answered.
    if (done.size > 0) {
      const was = await resumeChannel(db, run.channelId);
      if (was) log.info({ channel: run.channelId, was }, 'Slack accepts the channel again: its deliveries resume');
    }
  }

  return {
    deliverRun,
    /** A lease just claimed counts as renewed at `at`: the first call of its pass does not renew it again. */
    claimed(lease: Lease, at: number): void {
      renewedAt.set(lease, at);
    },
  };
}

export type RunDelivery = ReturnType<typeof createRunDelivery>;
