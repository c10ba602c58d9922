// Caracal limits GET /ready to READY_RATE_LIMIT_PER_MIN (120) per client IP per minute on API and Coordinator
// (caracal-ops.md §1): a 429 there would read as "not ready". Every /ready the bot sends (people's checks
// included: same IP) is counted per minute of the bot's clock, and scheduled checks run only while their expected
// cost fits the budget the configuration leaves them.
import type { CheckContext } from '../checks/types.ts';

export interface ReadyMeter {
  /** /ready requests sent in the current minute. */
  used(): number;
  /** Milliseconds until the next minute starts (when the count starts over). */
  untilNextMinute(): number;
  /** Count one request now. */
  count(): void;
}

export function createReadyMeter(now: () => Date): ReadyMeter {
  let minute = -1;
  let n = 0;
  const roll = () => {
    const m = Math.floor(now().getTime() / 60_000);
    if (m !== minute) {
      minute = m;
      n = 0;
    }
  };
  return {
    used: () => (roll(), n),
    untilNextMinute: () => 60_000 - (now().getTime() % 60_000),
    count: () => {
      roll();
      n++;
    },
  };
}

const READY_PATH = /\/ready\/?(?:\?.*)?$/;

/** The same context, with every /ready request counted on `meter`. */
export function meteredContext(ctx: CheckContext, meter: ReadyMeter): CheckContext {
  return {
    ...ctx,
    http: {
      request(url, options) {
        if (READY_PATH.test(url)) meter.count();
        return ctx.http.request(url, options);
      },
    },
  };
}
