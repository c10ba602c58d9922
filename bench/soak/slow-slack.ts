// The soak's Slack is slow and fails (issue 14): every call takes 50 to 800 ms, 2% answer 5xx, bursts of 429 with
// Retry-After come every few seconds, one log entry per run is refused (invalid_blocks), and the token is refused for
// a window (invalid_auth; 10 s in `npm run soak`, compressed in the short version). auth.test is spared: the soak is
// about the egress, not about starting a replica against a Slack that refuses it.
import type { FaultCall } from '../../src/sandbox/slack/faults.ts';
import type { SoakSlack } from './workspace.ts';

export interface SlowSlackOptions {
  random: () => number;
  /** When the invalid_auth window opens, from now, and how long it lasts. */
  authAtMs: number;
  authWindowMs: number;
  /** A burst of 429s on chat.postMessage and chat.update this often. */
  burstEveryMs: number;
  /** The channels whose first note entry Slack refuses (one per run). */
  channels: readonly string[];
}

export interface SlowSlack {
  /** Back to a healthy Slack (the drain after the soak still sees latency, so nothing is timed on a fast path). */
  stop(): void;
  /** Channels where the refusal was served (its entry must then be failed alone, with a placeholder). */
  refusedIn: Set<string>;
  /** Injected answers by `method error-or-status`. */
  injected(): Record<string, number>;
}

const sparesAuthTest = (c: FaultCall) => c.method !== 'auth.test';
const isNoteEntry = (c: FaultCall) =>
  c.method === 'chat.postMessage' && typeof c.args.thread_ts === 'string' && String(c.args.text).includes('soak note');

export function makeSlackSlowAndFailing(slack: SoakSlack, opts: SlowSlackOptions): SlowSlack {
  const faults = slack.sandbox.faults;
  const refusedIn = new Set<string>();
  faults.latency(() => 50 + Math.floor(opts.random() * 750), { match: sparesAuthTest });
  faults.add({ match: sparesAuthTest, chance: 0.02, effect: { kind: 'server_error', status: 503 } });
  for (const channel of opts.channels) {
    faults.add({
      times: 1,
      match: (c) => {
        const hit = isNoteEntry(c) && c.args.channel === channel;
        if (hit) refusedIn.add(channel);
        return hit;
      },
      effect: { kind: 'refuse', error: 'invalid_blocks' },
    });
  }
  const bursts = setInterval(() => {
    faults.add({ methods: ['chat.postMessage', 'chat.update'], times: 4, effect: { kind: 'rate_limit', retryAfterS: 1 } });
  }, opts.burstEveryMs);
  const auth = setTimeout(() => {
    faults.add({ match: sparesAuthTest, until: Date.now() + opts.authWindowMs, effect: { kind: 'refuse', error: 'invalid_auth' } });
  }, opts.authAtMs);
  return {
    stop() {
      clearInterval(bursts);
      clearTimeout(auth);
      faults.clear();
      faults.latency(() => 50 + Math.floor(opts.random() * 750), { match: sparesAuthTest });
    },
    refusedIn,
    injected: () => Object.fromEntries(faults.injected),
  };
}
