// Projects alert groups to Slack: one message per group, posted once and then updated in place. Each group has a
// coalescer (at most one chat.update per interval however many notifications arrive) and a lease in the database,
// so two replicas never post the same group. State first, Slack second: a failed or interrupted delivery is found
// again by the poll (delivered_version < version) and retried; the stored message_ts makes it an update.
import type { WebClient } from '@slack/web-api';
import { alertGroupMessage } from '../blocks/alert-group.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { coalesce, type Coalescer } from '../reports/coalesce.ts';
import { slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { claimGroup, loadGroup, releaseGroup, undeliveredGroups } from './store.ts';

export interface AlertDeliveryDeps {
  db: Db;
  client: WebClient;
  metrics: Metrics;
  logger: Logger;
  workerId: string;
  intervalMs: number;
  sandbox: boolean;
  leaseMs?: number;
}

/** The message was deleted: post it again rather than fail forever. */
const GONE = new Set(['message_not_found', 'cant_update_message']);

export function createAlertDelivery(deps: AlertDeliveryDeps) {
  const { db, client, metrics } = deps;
  const log = deps.logger.child({ component: 'alert-delivery' });
  const coalescers = new Map<string, Coalescer>();
  const inflight = new Set<Promise<void>>();
  let poller: NodeJS.Timeout | undefined;
  let posted = 0;
  let updated = 0;

  /** One delivery per group at a time in this process (the lease only keeps other replicas out). */
  const running = new Map<string, Promise<void>>();
  function deliver(groupKey: string): Promise<void> {
    const previous = running.get(groupKey) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => deliverOnce(groupKey));
    running.set(groupKey, next);
    void next.finally(() => {
      if (running.get(groupKey) === next) running.delete(groupKey);
    }).catch(() => undefined);
    return next;
  }

  async function deliverOnce(groupKey: string): Promise<void> {
    if (!(await claimGroup(db, groupKey, deps.workerId, deps.leaseMs ?? 30_000))) return; // another replica has it
    let group: Awaited<ReturnType<typeof loadGroup>>;
    try {
      group = await loadGroup(db, groupKey);
    } catch (err) {
      await releaseGroup(db, groupKey, deps.workerId, { error: 'load failed' }).catch(() => undefined);
      throw err;
    }
    if (!group || (group.messageTs && group.deliveredVersion >= group.version)) {
      await releaseGroup(db, groupKey, deps.workerId, { error: '' });
      return; // already shown
    }
    try {
      const msg = alertGroupMessage(group, { sandbox: deps.sandbox });
      let ts = group.messageTs;
      if (ts) {
        const existing = ts;
        try {
          await slackCall(metrics, 'chat.update', () => client.chat.update({ channel: group.channelId, ts: existing, ...msg }));
          updated++;
        } catch (err) {
          if (!GONE.has(slackErrorCode(err))) throw err;
          log.warn({ groupKey }, 'alert group message was deleted; posting it again');
          ts = undefined;
        }
      }
      if (!ts) {
        const res = await slackCall(metrics, 'chat.postMessage', () => client.chat.postMessage({ channel: group.channelId, ...msg }));
        if (!res.ts) throw new Error('chat.postMessage returned no ts');
        ts = res.ts;
        posted++;
      }
      await releaseGroup(db, groupKey, deps.workerId, { deliveredVersion: group.version, messageTs: ts });
    } catch (err) {
      await releaseGroup(db, groupKey, deps.workerId, { error: slackErrorCode(err) }).catch(() => undefined);
      throw err;
    }
  }

  function poke(groupKey: string): void {
    let c = coalescers.get(groupKey);
    if (!c) {
      c = coalesce(deps.intervalMs, () => track(deliver(groupKey)), (err) => log.warn({ groupKey, code: slackErrorCode(err) }, 'alert group delivery failed; the poll retries it'));
      coalescers.set(groupKey, c);
    }
    c.poke();
  }

  function track(p: Promise<void>): Promise<void> {
    inflight.add(p);
    return p.finally(() => inflight.delete(p));
  }

  async function pollOnce(): Promise<void> {
    for (const key of await undeliveredGroups(db, 100)) poke(key);
  }

  return {
    poke,
    /** Find groups left behind (restart, failed call, other replica) every `pollMs`. */
    start(pollMs = 2000): void {
      poller ??= setInterval(() => void pollOnce().catch((err: unknown) => log.warn({ err }, 'alert poll failed')), pollMs);
      void pollOnce().catch((err: unknown) => log.warn({ err }, 'alert poll failed'));
    },
    /** Deliver everything behind now and wait for it (tests, shutdown). */
    async flush(): Promise<void> {
      for (const key of await undeliveredGroups(db, 1000)) await deliver(key).catch((err: unknown) => log.warn({ groupKey: key, code: slackErrorCode(err) }, 'alert group delivery failed'));
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    async stop(): Promise<void> {
      if (poller) clearInterval(poller);
      poller = undefined;
      await Promise.allSettled([...coalescers.values()].map((c) => c.finish()));
      coalescers.clear();
      while (inflight.size > 0) await Promise.allSettled([...inflight]);
    },
    counts: () => ({ posted, updated }),
  };
}

export type AlertDelivery = ReturnType<typeof createAlertDelivery>;
