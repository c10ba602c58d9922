// Publishes App Home tabs (views.publish) through the same egress client as every other Slack call. Coalesced: however
// many run changes within `intervalMs` mark every Home behind once (in the database, so every replica sees
// it), and each pass publishes each Home that is behind once, under a short lease so two replicas never publish the
// same Home at the same time. A Home someone just opened, or a page they asked for, is published at once.
import type { WebClient } from '@slack/web-api';
import type { HomeContent } from '../home/home-content.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { classifySlackError, homeRefused, retryAfterMs, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { claimHomes, homeFailed, homePublished, wantAllHomes, wantHome, type HomeClaimRow } from '../store/home.ts';
import { passLoop } from './pass-loop.ts';

export interface HomePublisherDeps {
  db: Db;
  client: WebClient;
  content: HomeContent;
  metrics: Metrics;
  logger: Logger;
  workerId: string;
  /** At most one round of Home updates per interval, however many runs change (default 3 s). */
  intervalMs?: number;
  leaseMs?: number;
  /** Homes per claim; a pass claims again until none is behind. */
  batch?: number;
}

export function createHomePublisher(deps: HomePublisherDeps) {
  const { db, client, metrics, workerId } = deps;
  const log = deps.logger.child({ component: 'home-publisher', workerId });
  const intervalMs = deps.intervalMs ?? 3000;
  const leaseMs = deps.leaseMs ?? 30_000;
  let changed = false;
  let timer: NodeJS.Timeout | undefined;
  let poller: NodeJS.Timeout | undefined;
  let stopped = false;
  let published = 0;

  async function publishOne(claim: HomeClaimRow, snap: Awaited<ReturnType<HomeContent['snapshot']>>): Promise<void> {
    try {
      const started = Date.now();
      const { view, page } = await deps.content.render(claim.userId, claim.page, snap);
      const rendered = Date.now();
      await slackCall(metrics, 'views.publish', () => client.views.publish({ user_id: claim.userId, view }));
      log.debug({ userId: claim.userId, renderMs: rendered - started, publishMs: Date.now() - rendered }, 'Home published');
      await homePublished(db, claim, workerId, page);
      published++;
    } catch (err) {
      const code = slackErrorCode(err);
      const retry =
        classifySlackError(err) === 'rate'
          ? (retryAfterMs(err) ?? 1000)
          : homeRefused(err)
            ? 10 * 60_000
            : Math.min(60_000, 1000 * 2 ** Math.min(claim.attempts, 6));
      log.warn({ userId: claim.userId, code, retryMs: retry }, 'views.publish failed; the Home is retried later');
      await homeFailed(db, claim, workerId, code, retry).catch(() => undefined);
    }
  }

  async function pass(): Promise<void> {
    if (changed) {
      changed = false;
      await wantAllHomes(db);
    }
    let snap: Awaited<ReturnType<HomeContent['snapshot']>> | undefined;
    for (;;) {
      const claims = await claimHomes(db, workerId, deps.batch ?? 20, leaseMs);
      if (claims.length === 0) return;
      snap ??= await deps.content.snapshot();
      // One at a time: views.publish is per person, and a big workspace must not burst Slack's limit.
      for (const claim of claims) await publishOne(claim, snap);
      if (stopped) return;
    }
  }

  const passes = passLoop(
    pass,
    (err) => log.error({ err }, 'home publish pass failed'),
    () => stopped,
  );
  const runNow = passes.run;

  return {
    /** A run or a report changed: every Home is refreshed within `intervalMs`, once however many changes come. */
    poke(): void {
      changed = true;
      if (timer || stopped) return;
      timer = setTimeout(() => {
        timer = undefined;
        void runNow();
      }, intervalMs);
    },
    /** Someone opened their Home or asked for a page: publish theirs now. */
    async open(userId: string, page?: number): Promise<void> {
      await wantHome(db, userId, page);
      await runNow();
    },
    runNow,
    /** Flush a pending poke now and publish everything behind (tests, shutdown). */
    async flush(): Promise<void> {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await runNow();
      await passes.inFlight();
    },
    /** Poll for Homes behind (changes other replicas made, retries). */
    start(pollMs = 5000): void {
      stopped = false;
      poller ??= setInterval(() => void runNow(), pollMs);
    },
    async stop(): Promise<void> {
      stopped = true;
      if (poller) clearInterval(poller);
      if (timer) clearTimeout(timer);
      poller = undefined;
      timer = undefined;
      await passes.inFlight();
    },
    counts: () => ({ published }),
  };
}

export type HomePublisher = ReturnType<typeof createHomePublisher>;
