// Delivers the outbox to Slack: dashboards posted or updated in place (many pending updates of one run become
// one chat.update), log entries posted as thread replies in order. Per message: a message Slack refuses fails
// alone and a placeholder takes its place; an error about the whole channel pauses the channel's queue (never
// drops it) until a probe succeeds; 429 and 5xx stop the pass and retry later (Retry-After, backoff with
// jitter), so a thread is never reordered. A pass works on a bounded batch under a lease it renews before each
// call, and every outcome it writes is fenced by that lease.
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import { splitMessage } from '../blocks/limits.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RunState } from '../domain/run.ts';
import { answeredBySlack, classifySlackError, retryAfterMs, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import {
  beginAttempt,
  claimRuns,
  enqueueDelivery,
  markDelivered,
  markFailed,
  markRefused,
  releaseRun,
  renewLease,
  reschedule,
  takeDue,
  type Delivery,
  type Lease,
} from '../store/deliveries.ts';
import { getEvent } from '../store/events.ts';
import type { StoredEvent } from '../domain/events.ts';
import { loadRun } from '../store/runs.ts';
import { pauseChannel, probeBackoffMs, resumeChannel } from '../store/slack-channels.ts';
import { createDashboardPoster } from './dashboard-post.ts';
import { createPacer, type Pacer } from './pacer.ts';
import { passLoop } from './pass-loop.ts';
import { placeholderDashboard, placeholderEntry } from './placeholder.ts';
import { logEntryMetadata, partKey, postedEntries } from './readback.ts';

/** `broadcast`: a thread reply also shown in the channel (reply_broadcast), for questions the channel must see. */
type Rendered = { text: string; blocks: KnownBlock[]; broadcast?: boolean };

export interface RunRenderer {
  dashboard(run: RunState): Promise<Rendered>;
  logEntry(event: StoredEvent, run: RunState): Promise<Rendered>;
}

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

const MAX_ATTEMPTS = 50;

/** The lease was taken by another worker: stop without sending or writing anything more. */
class LeaseLost extends Error {}

/** Why a pass stops early: everything not yet done goes back to the queue after `delayMs`. */
interface Stop {
  delayMs: number;
  error: string;
  /** Rows that may be in Slack already (a call that got no clear answer). */
  maybePosted: number[];
  /** Slack refuses the whole channel: it is paused. */
  paused?: boolean;
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

  const jitter = (ms: number) => Math.round(ms * (0.5 + random() / 2));
  const backoff = (attempts: number) => jitter(Math.min(60_000, 250 * 2 ** Math.min(attempts, 8)));
  const probeDelay = (refusals: number) => jitter(probeBackoffMs(refusals, deps.pauseProbeMs));

  const renewedAt = new WeakMap<Lease, number>();
  /**
   * Before each Slack call: still ours, with at least two thirds of the lease ahead (a Slack call is bounded by the
   * client's timeout, well under a third of it). Renewed in the database only when a third has gone by.
   */
  async function hold(lease: Lease): Promise<void> {
    if (stopping) throw new LeaseLost('shutting down');
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

  async function postInThread(run: RunState, lease: Lease, msg: Rendered, metadata: ReturnType<typeof logEntryMetadata>): Promise<string> {
    await hold(lease);
    const args = { channel: run.channelId, thread_ts: run.dashboardTs!, text: msg.text, blocks: msg.blocks, metadata };
    const posted = await slackCall(metrics, 'chat.postMessage', () =>
      client.chat.postMessage(msg.broadcast ? { ...args, reply_broadcast: true } : args),
    );
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    return posted.ts;
  }

  /** A refused entry: failed alone, with the placeholder that says what is missing and where to read it. */
  async function replaceWithPlaceholder(
    run: RunState,
    lease: Lease,
    d: Delivery,
    event: StoredEvent | undefined,
    error: string,
  ): Promise<Stop | undefined> {
    if (!(await markRefused(db, lease, d.id, error))) throw new LeaseLost();
    const wait = await pacer.slot(run.channelId, leaseMs / 3);
    if (wait > 0) return { delayMs: wait, error: 'paced', maybePosted: [] };
    let ts: string | undefined;
    try {
      ts = await postInThread(run, lease, placeholderEntry(event, error), logEntryMetadata(event?.id ?? 0));
    } catch (err) {
      if (err instanceof LeaseLost || classifySlackError(err) !== 'message')
        return err instanceof LeaseLost ? Promise.reject(err) : stopFor(err, 'chat.postMessage', lease, d);
      log.error({ runId: run.id, code: slackErrorCode(err) }, 'Slack refused even the placeholder of a refused entry');
    }
    if (!(await markFailed(db, lease, [d.id], error, ts))) throw new LeaseLost();
    metrics.deliveriesFailed.inc({ reason: error });
    log.warn(
      { runId: run.id, deliveryId: d.id, eventId: d.eventId, error },
      'Slack refused a log entry: marked failed alone and replaced by a placeholder',
    );
    return undefined;
  }

  async function deliverEntry(
    run: RunState,
    lease: Lease,
    d: Delivery,
    earlier: () => Promise<Map<string, string>>,
  ): Promise<Stop | undefined> {
    const event = d.eventId === undefined ? undefined : await getEvent(db, d.eventId);
    if (!event) {
      if (!(await markFailed(db, lease, [d.id], 'event not found'))) throw new LeaseLost();
      return undefined;
    }
    if (d.refused) return replaceWithPlaceholder(run, lease, d, event, d.refused);
    const blocked = pacer.blockedFor('chat.postMessage', run.channelId);
    if (blocked > 0) return { delayMs: blocked, error: 'ratelimited', maybePosted: [] };
    let found: Map<string, string> | undefined;
    try {
      found = d.maybePosted ? await earlier() : undefined;
    } catch (err) {
      const stop = await stopFor(err, 'conversations.replies', lease, d);
      return { ...stop, maybePosted: [d.id] }; // still unknown whether it is in Slack: keep the mark
    }
    if (!(await beginAttempt(db, lease, [d.id]))) throw new LeaseLost();
    const rendered = await deps.render.logEntry(event, run);
    const parts = splitMessage(rendered);
    let firstTs: string | undefined;
    for (const [i, part] of parts.entries()) {
      const already = found?.get(partKey(event.id, i));
      if (already) {
        log.info(
          { runId: run.id, eventId: event.id, part: i },
          'log entry already in the thread from an earlier attempt; not posting it again',
        );
        firstTs ??= already;
        continue;
      }
      const wait = await pacer.slot(run.channelId, leaseMs / 3);
      if (wait > 0) return { delayMs: wait, error: 'paced', maybePosted: i > 0 ? [d.id] : [] };
      try {
        const ts = await postInThread(
          run,
          lease,
          { text: part.text, blocks: part.blocks ?? [], broadcast: rendered.broadcast === true && i === 0 },
          logEntryMetadata(event.id, i),
        );
        firstTs ??= ts;
      } catch (err) {
        if (err instanceof LeaseLost) throw err;
        const kind = classifySlackError(err);
        if (kind === 'message') return replaceWithPlaceholder(run, lease, d, event, slackErrorCode(err));
        if (kind === 'transient' && d.attempts + 1 >= MAX_ATTEMPTS) {
          return replaceWithPlaceholder(run, lease, d, event, `${slackErrorCode(err)} after ${MAX_ATTEMPTS} attempts`);
        }
        return stopFor(err, 'chat.postMessage', lease, d, i > 0);
      }
    }
    if (!(await markDelivered(db, lease, [d.id], firstTs))) throw new LeaseLost();
    return undefined;
  }

  /** The dashboard rows: undefined to go on with the thread, or a Stop for the whole pass. */
  async function deliverDashboard(run: RunState, lease: Lease, rows: Delivery[]): Promise<Stop | undefined> {
    const method = run.dashboardTs ? 'chat.update' : 'chat.postMessage';
    const blocked = pacer.blockedFor(method, run.channelId);
    if (blocked > 0) return run.dashboardTs ? undefined : { delayMs: blocked, error: 'ratelimited', maybePosted: [] };
    await hold(lease);
    if (
      !(await beginAttempt(
        db,
        lease,
        rows.map((d) => d.id),
      ))
    )
      throw new LeaseLost();
    const renderedVersion = run.version;
    try {
      await dashboards.deliver(run, await deps.render.dashboard(run), () => hold(lease));
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
        if (
          !(await markFailed(
            db,
            lease,
            rows.map((d) => d.id),
            slackErrorCode(err),
          ))
        )
          throw new LeaseLost();
        metrics.deliveriesFailed.inc({ reason: slackErrorCode(err) });
        return run.dashboardTs ? undefined : { delayMs: backoff(1), error: slackErrorCode(err), maybePosted: [] };
      }
      const stop = await stopFor(err, method, lease, undefined);
      // The thread can go on under an existing dashboard unless Slack refuses the whole channel.
      if (run.dashboardTs && kind !== 'channel') {
        if (
          !(await reschedule(
            db,
            lease,
            rows.map((d) => d.id),
            stop.delayMs,
            stop.error,
          ))
        )
          throw new LeaseLost();
        return undefined;
      }
      return stop;
    }
    if (
      !(await markDelivered(
        db,
        lease,
        rows.map((d) => d.id),
      ))
    )
      throw new LeaseLost();
    // Another replica may have changed the run while we rendered: make sure the newest state gets shown.
    const latest = await loadRun(db, run.id);
    if (latest && latest.version !== renderedVersion) await enqueueDelivery(db, run.id, 'dashboard');
    return undefined;
  }

  /** One bounded pass over a run (what is left is claimed again at once: see deliverLeased). */
  async function deliverRun(lease: Lease): Promise<void> {
    const due = await takeDue(db, lease, batch);
    if (due.length === 0) return;
    const run = await loadRun(db, lease.runId);
    if (!run) {
      await markFailed(
        db,
        lease,
        due.map((d) => d.id),
        'run not found',
      );
      return;
    }
    let thread: Promise<Map<string, string>> | undefined; // read from Slack at most once per pass, and only if needed
    const earlier = () => (thread ??= postedEntries(client, metrics, log, run.channelId, run.dashboardTs!, deps.botId));
    const done = new Set<number>();
    let stop: Stop | undefined;
    const rows = due.filter((d) => d.kind === 'dashboard');
    if (rows.length > 0 || !run.dashboardTs) {
      stop = await deliverDashboard(run, lease, rows);
      if (!stop) for (const d of rows) done.add(d.id);
    }
    const deadline = now() + (deps.passBudgetMs ?? 2000);
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
      if (
        !(await reschedule(
          db,
          lease,
          left.map((d) => d.id),
          stop.delayMs,
          stop.error,
          maybe,
        ))
      )
        throw new LeaseLost();
      if (stop.paused) return;
    }
    // Something went through: if the channel was paused, this pass was its probe, and it answered.
    if (done.size > 0) {
      const was = await resumeChannel(db, run.channelId);
      if (was) log.info({ channel: run.channelId, was }, 'Slack accepts the channel again: its deliveries resume');
    }
  }

  /**
   * The runs this process is delivering, each on its own: a run that waits (its channel's pace, a slow Slack) never
   * holds back another run's messages, and a run whose work is done makes room for the next at once.
   */
  const working = new Map<string, Promise<void>>();
  const capacity = deps.runsPerPass ?? 50;

  async function deliverLeased(lease: Lease): Promise<void> {
    let failed = false;
    try {
      await deliverRun(lease);
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
      renewedAt.set(lease, claimedAt);
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
        void runNow();
      }, deps.settleMs ?? 50);
    },
    /** Deliver what is due now; resolves when the pass is over (tests, shutdown). */
    runNow,
    /** Poll for due deliveries (retries, and work queued by other replicas). */
    start(pollMs = 500): void {
      stopping = false;
      draining = false;
      interval ??= setInterval(() => void runNow(), pollMs);
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
