// Projects alert groups to Slack: one message per group, posted once and then updated in place. Each group has a
// coalescer (at most one chat.update per interval however many notifications arrive) and a lease in the database,
// so two replicas never post the same group. State first, Slack second: a failed or interrupted delivery is found
// again by the poll (delivered_version < version) and retried; the stored message_ts makes it an update. Every
// chat.* call goes through the egress (delivery/alert-post.ts): read-back before a re-post, the channel's posting
// slot, Retry-After and channel pauses shared with the run outbox.
import type { WebClient } from '@slack/web-api';
import { alertGroupMessage } from '../blocks/alert-group.ts';
import { createAlertPoster, Deferred } from '../delivery/alert-post.ts';
import { createPacer, type Pacer } from '../delivery/pacer.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { coalesce, type Coalescer } from '../reports/coalesce.ts';
import { slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { resumeChannel } from '../store/slack-channels.ts';
import type { AlertEnvironment } from '../domain/alerts.ts';
import { claimGroup, loadGroup, releaseGroup, undeliveredGroups } from './store.ts';
import type { AlertGroup } from '../domain/alerts.ts';

export interface AlertDeliveryDeps {
  db: Db;
  client: WebClient;
  metrics: Metrics;
  logger: Logger;
  workerId: string;
  intervalMs: number;
  sandbox: boolean;
  leaseMs?: number;
  /** Between two posts in one channel (the run outbox's setting: Slack allows about 1 per second sustained). */
  postIntervalMs: number;
  /** The process's one pacer (shared with the egress and the run outbox); built from postIntervalMs when not given. */
  pacer?: Pacer;
  pauseProbeMs?: number;
  /** The bot's own bot_id: read-back trusts only its messages. */
  botId?: string;
  /** The environment a group's alerts belong to: named in its message and carried by its buttons. */
  environmentOf?: (group: AlertGroup) => AlertEnvironment;
}

export function createAlertDelivery(deps: AlertDeliveryDeps) {
  const { db, client, metrics } = deps;
  const log = deps.logger.child({ component: 'alert-delivery' });
  const leaseMs = deps.leaseMs ?? 30_000;
  const pacer =
    deps.pacer ??
    createPacer({ db, postIntervalMs: deps.postIntervalMs, now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
  const poster = createAlertPoster({
    db,
    client,
    metrics,
    logger: log,
    pacer,
    maxSlotWaitMs: leaseMs / 3,
    ...(deps.botId ? { botId: deps.botId } : {}),
    ...(deps.pauseProbeMs ? { pauseProbeMs: deps.pauseProbeMs } : {}),
  });
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
    void next
      .finally(() => {
        if (running.get(groupKey) === next) running.delete(groupKey);
      })
      .catch(() => undefined);
    return next;
  }

  async function deliverOnce(groupKey: string): Promise<void> {
    if (!(await claimGroup(db, groupKey, deps.workerId, leaseMs))) return; // another replica has it
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
      const msg = alertGroupMessage(group, {
        sandbox: deps.sandbox,
        ...(deps.environmentOf ? { environment: deps.environmentOf(group) } : {}),
      });
      const shown = await poster.deliver(
        { groupKey, channelId: group.channelId, messageTs: group.messageTs, createdAt: group.createdAt },
        msg,
      );
      if (shown.posted) posted++;
      else updated++;
      await releaseGroup(db, groupKey, deps.workerId, { deliveredVersion: group.version, messageTs: shown.ts });
      const was = await resumeChannel(db, group.channelId); // this call was the paused channel's probe, and it answered
      if (was) log.info({ channel: group.channelId, was }, 'Slack accepts the channel again: alert messages resume');
    } catch (err) {
      await releaseGroup(db, groupKey, deps.workerId, { error: err instanceof Deferred ? 'deferred' : slackErrorCode(err) }).catch(
        () => undefined,
      );
      if (err instanceof Deferred) return; // the poll comes back for it
      throw err;
    }
  }

  function poke(groupKey: string): void {
    let c = coalescers.get(groupKey);
    if (!c) {
      c = coalesce(
        deps.intervalMs,
        () => track(deliver(groupKey)),
        (err) => log.warn({ groupKey, code: slackErrorCode(err) }, 'alert group delivery failed; the poll retries it'),
      );
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
      // A delivery in flight may have rendered an older version (and holds the group's lease, so the look-up skips
      // it): wait for it, then look again, until nothing is behind. One that a coalescer started during the look-up
      // holds the lease too, so "nothing behind" counts only when nothing is running after it either.
      for (let pass = 0; pass < 10; pass++) {
        while (inflight.size > 0 || running.size > 0) await Promise.allSettled([...inflight, ...running.values()]);
        const behind = await undeliveredGroups(db, 1000);
        if (behind.length === 0 && inflight.size === 0 && running.size === 0) return;
        for (const key of behind)
          await deliver(key).catch((err: unknown) => log.warn({ groupKey: key, code: slackErrorCode(err) }, 'alert group delivery failed'));
      }
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
