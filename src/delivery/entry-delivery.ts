// The log entries of one run's pass (run-delivery.ts), each a thread reply posted in order under the run's
// dashboard, part by part: an entry an earlier attempt may have posted is read back first, and an entry Slack
// refuses is replaced by a placeholder and failed alone. Its own file: the entry path is the longest of a pass.
import { splitMessage } from '../blocks/limits.ts';
import type { RunState } from '../domain/run.ts';
import type { StoredEvent } from '../domain/events.ts';
import { classifySlackError, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import { beginAttempt, markDelivered, markFailed, markRefused, type Delivery, type Lease } from '../store/deliveries.ts';
import { getEvent } from '../store/events.ts';
import { LeaseLost, type PassDeps, type Rendered, type Stop } from './delivery-types.ts';
import { placeholderEntry } from './placeholder.ts';
import { logEntryMetadata, partKey } from './readback.ts';

export interface EntryDeliveryDeps extends PassDeps {
  /** The pass's lease check before each Slack call (run-delivery.ts). */
  hold: (lease: Lease) => Promise<void>;
  /** The pass's reading of a failed Slack call (run-delivery.ts): when to come back, or the channel paused. */
  stopFor: (err: unknown, method: string, lease: Lease, d: Delivery | undefined, partlyPosted?: boolean) => Promise<Stop>;
}

const MAX_ATTEMPTS = 50;

export function createEntryDelivery(deps: EntryDeliveryDeps) {
  const { db, client, render, metrics, pacer, leaseMs, hold, stopFor } = deps;
  const log = deps.logger;

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
    const rendered = await render.logEntry(event, run);
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

  return { deliverEntry };
}
