// Slack's rates, honoured per channel: a posting slot per channel shared by every replica (about one message per
// second, Slack's sustained per-channel rate), and Retry-After remembered per method and channel after a 429.
import type { Db } from '../store/db.ts';
import { reserveSlot, reserveSlotWithin } from '../store/slack-channels.ts';

export interface PacerDeps {
  db: Db;
  /** Between two posts in one channel; Slack allows about 1 message per second sustained. */
  postIntervalMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export type Pacer = ReturnType<typeof createPacer>;

export function createPacer(deps: PacerDeps) {
  const blocked = new Map<string, number>();
  const key = (method: string, channel: string) => `${method} ${channel}`;
  return {
    /** How long `method` in `channel` is still blocked by an earlier Retry-After (0: not blocked). */
    blockedFor(method: string, channel: string): number {
      const until = blocked.get(key(method, channel)) ?? 0;
      if (until <= deps.now()) blocked.delete(key(method, channel));
      return Math.max(0, until - deps.now());
    },
    retryAfter(method: string, channel: string, ms: number): void {
      blocked.set(key(method, channel), Math.max(blocked.get(key(method, channel)) ?? 0, deps.now() + ms));
    },
    /**
     * Wait for the channel's next posting slot. A slot further away than `maxWaitMs` is not waited for: the
     * answer is how long to come back after (the slot stays taken, so the channel's rate holds either way).
     */
    async slot(channel: string, maxWaitMs: number): Promise<number> {
      if (deps.postIntervalMs <= 0) return 0;
      const wait = (await reserveSlot(deps.db, channel, deps.postIntervalMs)).getTime() - deps.now();
      if (wait > maxWaitMs) return wait;
      if (wait > 0) await deps.sleep(wait);
      return 0;
    },
    /**
     * Like `slot`, but a slot further away than `maxWaitMs` is not taken (for callers that retry from a poll, like
     * alert group posts: asking again must not push the channel's queue further out).
     */
    async slotWithin(channel: string, maxWaitMs: number): Promise<number> {
      if (deps.postIntervalMs <= 0) return 0;
      const got = await reserveSlotWithin(deps.db, channel, deps.postIntervalMs, maxWaitMs);
      if ('waitMs' in got) return got.waitMs;
      const wait = got.slot.getTime() - deps.now();
      if (wait > 0) await deps.sleep(wait);
      return 0;
    },
  };
}
