// Delivers the outbox to Slack: dashboards posted or updated in place (many pending updates of one run become
// one chat.update), log entries posted as thread replies in order. Honours 429 Retry-After, backs off on
// errors, and after a restart finishes whatever was pending.
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RunState } from '../recovery/model.ts';
import { slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { claimRuns, enqueueDelivery, markDelivered, releaseRun, reschedule, takeDue, type Delivery } from '../store/deliveries.ts';
import { getEvent, type StoredEvent } from '../store/events.ts';
import { loadRun, setDashboardTs } from '../store/runs.ts';
import { logEntryMetadata, postedEntries } from './readback.ts';

type Rendered = { text: string; blocks: KnownBlock[] };

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
}

/** The dashboard message is gone (deleted by someone): post it again. */
const GONE = new Set(['message_not_found', 'cant_update_message']);
/** Nothing we retry will fix these; the events stay in the database and in the timeline. */
const PERMANENT = new Set(['channel_not_found', 'not_in_channel', 'is_archived', 'invalid_auth', 'account_inactive', 'invalid_blocks', 'msg_too_long']);
const MAX_ATTEMPTS = 50;

/** Slack answered (an error or a 429), so the call did not post anything. */
function answeredBySlack(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'slack_webapi_platform_error' || code === 'slack_webapi_rate_limited_error';
}

function retryAfterMs(err: unknown): number | undefined {
  const e = err as { code?: string; retryAfter?: number };
  return e.code === 'slack_webapi_rate_limited_error' && typeof e.retryAfter === 'number' ? e.retryAfter * 1000 : undefined;
}

export function createDispatcher(deps: DispatcherDeps) {
  const { db, client, metrics, workerId } = deps;
  const leaseMs = deps.leaseMs ?? 30_000;
  const log = deps.logger.child({ component: 'dispatcher', workerId });
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let interval: NodeJS.Timeout | undefined;

  async function postDashboard(run: RunState): Promise<void> {
    const msg = await deps.render.dashboard(run);
    const posted = await slackCall(metrics, 'chat.postMessage', () => client.chat.postMessage({ channel: run.channelId, ...msg }));
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    await setDashboardTs(db, run.id, posted.ts);
    run.dashboardTs = posted.ts;
  }

  async function deliverDashboard(run: RunState): Promise<void> {
    if (!run.dashboardTs) return postDashboard(run);
    const msg = await deps.render.dashboard(run);
    try {
      await slackCall(metrics, 'chat.update', () => client.chat.update({ channel: run.channelId, ts: run.dashboardTs!, ...msg }));
    } catch (err) {
      if (!GONE.has(slackErrorCode(err))) throw err;
      log.warn({ runId: run.id }, 'dashboard message was deleted; posting it again');
      await postDashboard(run);
    }
  }

  async function deliverThread(run: RunState, d: Delivery, earlier: () => Promise<Map<number, string>>): Promise<string | undefined> {
    const event = d.eventId === undefined ? undefined : await getEvent(db, d.eventId);
    if (!event) return undefined;
    const already = d.maybePosted ? (await earlier()).get(event.id) : undefined;
    if (already) {
      log.info({ runId: run.id, eventId: event.id }, 'log entry already in the thread from an earlier attempt; not posting it again');
      return already;
    }
    const msg = await deps.render.logEntry(event, run);
    const posted = await slackCall(metrics, 'chat.postMessage', () =>
      client.chat.postMessage({ channel: run.channelId, thread_ts: run.dashboardTs!, ...msg, metadata: logEntryMetadata(event.id) }),
    );
    return posted.ts;
  }

  async function deliverRun(runId: string): Promise<void> {
    const due = await takeDue(db, runId);
    if (due.length === 0) return;
    const run = await loadRun(db, runId);
    if (!run) return reschedule(db, due.map((d) => d.id), 0, 'run not found', true);
    const dashboards = due.filter((d) => d.kind === 'dashboard');
    let remaining = due;
    let thread: Promise<Map<number, string>> | undefined; // read from Slack at most once per pass, and only if needed
    const earlier = () => (thread ??= postedEntries(client, metrics, log, run.channelId, run.dashboardTs!));
    let posting: Delivery | undefined;
    try {
      // The thread needs its parent: post the dashboard first when it does not exist yet.
      if (dashboards.length > 0 || !run.dashboardTs) {
        const renderedVersion = run.version;
        await deliverDashboard(run);
        await markDelivered(db, dashboards.map((d) => d.id));
        remaining = remaining.filter((d) => d.kind !== 'dashboard');
        // Another replica may have changed the run while we rendered: make sure the newest state gets shown.
        const latest = await loadRun(db, runId);
        if (latest && latest.version !== renderedVersion) await enqueueDelivery(db, runId, 'dashboard');
      }
      for (const d of [...remaining]) {
        posting = d;
        const ts = await deliverThread(run, d, earlier);
        await markDelivered(db, [d.id], ts);
        posting = undefined;
        remaining = remaining.filter((x) => x.id !== d.id);
      }
    } catch (err) {
      const code = slackErrorCode(err);
      const wait = retryAfterMs(err);
      const attempts = Math.max(...remaining.map((d) => d.attempts));
      const giveUp = wait === undefined && (PERMANENT.has(code) || attempts >= MAX_ATTEMPTS);
      const delay = wait ?? Math.min(60_000, 250 * 2 ** Math.min(attempts, 8));
      log.warn({ runId, code, delay, giveUp, pending: remaining.length }, 'delivery failed; will retry');
      // Still possibly in Slack: the entry whose call got no clear answer, and marked ones not looked up yet.
      const unclear = posting && !answeredBySlack(err) ? [posting.id] : [];
      await reschedule(db, remaining.map((d) => d.id), delay, code, giveUp, [...unclear, ...remaining.filter((d) => d.maybePosted).map((d) => d.id)]);
    }
  }

  async function tick(): Promise<void> {
    const runs = await claimRuns(db, workerId, 20, leaseMs);
    await Promise.all(
      runs.map(async (runId) => {
        try {
          await deliverRun(runId);
        } catch (err) {
          log.error({ err, runId }, 'delivery pass failed');
        } finally {
          await releaseRun(db, runId, workerId).catch(() => undefined);
        }
      }),
    );
  }

  /** Run passes until nothing is due, one pass at a time in this process. */
  function runNow(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        try {
          await tick();
        } catch (err) {
          log.error({ err }, 'dispatcher pass failed');
        }
      } while (again);
    })().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    /** Something was queued: deliver soon (after a short settle, so bursts coalesce). */
    poke(): void {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        void runNow();
      }, deps.settleMs ?? 50);
    },
    /** Deliver what is due now; resolves when the pass is over (tests, shutdown). */
    runNow,
    /** Poll for due deliveries (retries, and work queued by other replicas). */
    start(pollMs = 500): void {
      interval ??= setInterval(() => void runNow(), pollMs);
    },
    async stop(): Promise<void> {
      if (interval) clearInterval(interval);
      if (timer) clearTimeout(timer);
      interval = undefined;
      timer = undefined;
      await running;
    },
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
