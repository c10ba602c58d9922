// The egress for alert group messages (issue 16 through issue 14's one egress): each group's one message is posted
// once, then updated in place. Posting is idempotent across a crash like the run dashboard's: the group is marked
// "post pending" before the call, the message carries the group key in its metadata, and a group still marked
// pending is looked up in the channel before it is posted again. New posts take the channel's posting slot shared
// with the run outbox (Slack: about one message per second per channel); a 429 is remembered per method and channel
// (Retry-After); an error about the whole channel pauses it, as for the outbox.
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { classifySlackError, retryAfterMs, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { pauseChannel, probeBackoffMs } from '../store/slack-channels.ts';
import type { Pacer } from './pacer.ts';
import { clearPostPending, markPostPending } from './post-pending.ts';
import { findEarlierPost } from './readback.ts';

export const ALERT_GROUP_EVENT = 'caracal_alert_group';
const LOOKBACK = 200;

type Rendered = { text: string; blocks: KnownBlock[] };

export interface AlertMessageTarget {
  groupKey: string;
  channelId: string;
  /** The message already showing the group, if its ts was saved. */
  messageTs: string | undefined;
  createdAt: Date;
}

/** Not sent now (Retry-After, a posting slot too far ahead, a paused channel): the caller tries again later. */
export class Deferred extends Error {}

export function alertGroupMetadata(groupKey: string): { event_type: string; event_payload: { group_key: string } } {
  return { event_type: ALERT_GROUP_EVENT, event_payload: { group_key: groupKey } };
}

export function createAlertPoster(deps: {
  db: Db;
  client: WebClient;
  metrics: Metrics;
  logger: Logger;
  pacer: Pacer;
  botId?: string;
  maxSlotWaitMs: number;
  pauseProbeMs?: number;
}) {
  const { db, client, metrics, logger, pacer } = deps;

  /** A failure that may pass goes through `failed` (Retry-After, a refused channel) and is thrown: retried later. */
  const findPosted = (t: AlertMessageTarget): Promise<string | undefined> =>
    findEarlierPost(
      client,
      metrics,
      {
        channel: t.channelId,
        eventType: ALERT_GROUP_EVENT,
        key: 'group_key',
        value: t.groupKey,
        lookback: LOOKBACK,
        since: t.createdAt,
        ...(deps.botId ? { botId: deps.botId } : {}),
      },
      (code) => logger.warn({ groupKey: t.groupKey, code }, 'cannot look for an earlier alert group post; posting it'),
    ).catch((err: unknown) => failed(err, 'conversations.history', t.channelId));

  /** Remember Retry-After, pause a refused channel; then rethrow for the caller's retry. */
  async function failed(err: unknown, method: string, channel: string): Promise<never> {
    const kind = classifySlackError(err);
    if (kind === 'rate') pacer.retryAfter(method, channel, retryAfterMs(err) ?? 1000);
    if (kind === 'channel') {
      const refusals = await pauseChannel(db, channel, slackErrorCode(err), (n) => probeBackoffMs(n, deps.pauseProbeMs));
      if (refusals === 1)
        logger.error(
          { channel, code: slackErrorCode(err) },
          'Slack refuses this channel: alert messages are paused (nothing is dropped) until a probe succeeds',
        );
    }
    throw err;
  }

  function notBlocked(method: string, channel: string): void {
    const wait = pacer.blockedFor(method, channel);
    if (wait > 0) throw new Deferred(`${method} in ${channel} waits ${wait} ms (Retry-After)`);
  }

  async function update(t: AlertMessageTarget, ts: string, msg: Rendered): Promise<'updated' | 'gone'> {
    notBlocked('chat.update', t.channelId);
    try {
      await slackCall(metrics, 'chat.update', () => client.chat.update({ channel: t.channelId, ts, ...msg }));
      return 'updated';
    } catch (err) {
      if (classifySlackError(err) === 'gone') return 'gone';
      return failed(err, 'chat.update', t.channelId);
    }
  }

  async function post(t: AlertMessageTarget, msg: Rendered): Promise<string> {
    if (await markPostPending(db, 'alertGroup', t.groupKey)) {
      const found = await findPosted(t);
      if (found && (await update(t, found, msg)) === 'updated') {
        logger.info(
          { groupKey: t.groupKey, ts: found },
          'alert group message already posted by an earlier attempt; updated it instead of posting again',
        );
        return found;
      }
    }
    notBlocked('chat.postMessage', t.channelId);
    const wait = await pacer.slotWithin(t.channelId, deps.maxSlotWaitMs);
    if (wait > 0) throw new Deferred(`the channel's next posting slot is ${wait} ms away`);
    try {
      const posted = await slackCall(metrics, 'chat.postMessage', () =>
        client.chat.postMessage({ channel: t.channelId, ...msg, metadata: alertGroupMetadata(t.groupKey) }),
      );
      if (!posted.ts) throw new Error('chat.postMessage returned no ts');
      return posted.ts;
    } catch (err) {
      return failed(err, 'chat.postMessage', t.channelId);
    }
  }

  return {
    /**
     * Show `msg` as the group's message: an update in place, or the first post (read back first if an earlier post
     * may have reached Slack unrecorded). Resolves with the message's ts; the caller saves it (clearing the marker).
     */
    async deliver(t: AlertMessageTarget, msg: Rendered): Promise<{ ts: string; posted: boolean }> {
      if (t.messageTs) {
        if ((await update(t, t.messageTs, msg)) === 'updated') return { ts: t.messageTs, posted: false };
        logger.warn({ groupKey: t.groupKey }, 'alert group message was deleted; posting it again');
        await clearPostPending(db, 'alertGroup', t.groupKey); // the old one is gone: do not find it
      }
      return { ts: await post(t, msg), posted: true };
    },
  };
}

export type AlertPoster = ReturnType<typeof createAlertPoster>;
