// The bot counts its own calls to each Caracal endpoint and stays under Caracal's limits (caracal-ops.md §1.5,
// §1.6, §15.1.4): API and Coordinator `/ready` allow 120 requests per minute per client address, everything else
// on the Coordinator 600. Caracal counts per wall-clock minute (`…:<ip>:<minute>` keys), so the budget does too:
// any minute Caracal counts holds at most the budget from this replica. A call over budget is not sent; it fails
// at once with a TargetError that says so (a check that could not ask is a failure, never a pass).
//
// Per replica: Caracal limits per client address, and each replica (pod) has its own.
//
// The one count of the bot's calls (issue 18 with issue 17): people's checks refuse a call past the budget here, and
// the scheduler asks the same count whether a run's /ready calls still fit its share (mayCallReady), so a burst of
// status reports and a scheduled watch draw from one budget instead of two counters that disagree.
import { TargetError } from '../../errors.ts';
import type { CheckContext } from '../types.ts';

/** Without the query string (as http.ts shows URLs; not imported from there, which imports this file). */
const displayUrl = (url: string): string => url.split('?')[0] ?? url;

/** Caracal's own limits per minute and client address (defaults of READY_RATE_LIMIT_PER_MIN, COORDINATOR_RATE_LIMIT_PER_MIN). */
export const CARACAL_LIMITS = { ready: 120, coordinator: 600 } as const;

export interface CallBudgetOptions {
  /** The bot's budget per minute for one `/ready` URL (below Caracal's 120). */
  readyPerMinute: number;
  /** The bot's budget per minute for one Coordinator (every route but /health; below Caracal's 600). */
  coordinatorPerMinute: number;
  /** Base URLs of the Coordinator pods, to tell its routes apart. */
  coordinatorBases: readonly string[];
  now: () => Date;
}

/** What the bot itself sent to a limited endpoint this minute, attached to a 429 so the report can say whose it is. */
export interface OwnCalls {
  endpoint: string;
  calls: number;
  caracalLimit: number;
}

export class CallBudgetExceeded extends TargetError {
  override name = 'CallBudgetExceeded';
}

interface Bucket {
  name: string;
  key: string;
  budget: number;
  caracalLimit: number;
}

const origin = (url: string): string => {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
};

/** Keys of /ready endpoints in `counts()` start with this (the others are whole Coordinators). */
const READY_KEY = 'ready ';
/** `/ready`, with or without a trailing slash (the query string is not part of the path). */
const READY_PATH = /\/ready\/?$/;

export type ReadyRoom = { ok: true } | { ok: false; retryInMs: number };

export interface CallBudget {
  /** The fetch every attempt goes through (retries count too: Caracal counts them). */
  wrap(inner: typeof fetch): typeof fetch;
  /** Count one call to `url` now, or answer why it is not sent (the call path's "may I call now"). */
  admit(url: string, method?: string): CallBudgetExceeded | undefined;
  /** What this replica sent this minute to the limited endpoint `url` belongs to (the first one that applies). */
  ownCalls(url: string): OwnCalls | undefined;
  /** Calls per limited endpoint this minute (tests, /metrics, the scheduler's cost of a run). */
  counts(): Map<string, number>;
  /**
   * The scheduler's "may I call /ready now": whether `expected` more calls per /ready endpoint (keys of `counts()`)
   * keep every one of them within `share` this minute; if not, when the next minute starts.
   */
  mayCallReady(expected: ReadonlyMap<string, number>, share: number): ReadyRoom;
}

/** The /ready endpoints of `counts` alone (what the scheduler's share is about). */
export function readyCounts(counts: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...counts].filter(([key]) => key.startsWith(READY_KEY)));
}

export function createCallBudget(options: CallBudgetOptions): CallBudget {
  const coordinators = new Set(options.coordinatorBases.map(origin));
  let minute = -1;
  const counts = new Map<string, number>();

  function buckets(url: string): Bucket[] {
    let path = url;
    try {
      path = new URL(url).pathname;
    } catch {
      // not a URL: fetch will say so
    }
    const out: Bucket[] = [];
    if (READY_PATH.test(path)) {
      const base = displayUrl(url).replace(/\/ready\/?$/, '');
      out.push({
        name: `/ready of ${base}`,
        key: `${READY_KEY}${base}/ready`,
        budget: options.readyPerMinute,
        caracalLimit: CARACAL_LIMITS.ready,
      });
    }
    if (coordinators.has(origin(url)) && !path.endsWith('/health')) {
      out.push({
        name: `the Coordinator at ${origin(url)}`,
        key: `coordinator ${origin(url)}`,
        budget: options.coordinatorPerMinute,
        caracalLimit: CARACAL_LIMITS.coordinator,
      });
    }
    return out;
  }

  function roll(): void {
    const m = Math.floor(options.now().getTime() / 60_000);
    if (m === minute) return;
    minute = m;
    counts.clear();
  }

  const untilNextMinute = (): number => 60_000 - (options.now().getTime() % 60_000);

  /** Count the call, or answer why it is not sent. */
  function admit(url: string, method = 'GET'): CallBudgetExceeded | undefined {
    roll();
    const list = buckets(url);
    const full = list.find((b) => (counts.get(b.key) ?? 0) >= b.budget);
    if (full) {
      const wait = Math.ceil(untilNextMinute() / 1000);
      return new CallBudgetExceeded(
        `${method} ${displayUrl(url)}`,
        `not asked: the bot already made ${counts.get(full.key)} calls to ${full.name} this minute (its own budget ${full.budget}, ` +
          `below Caracal's limit of ${full.caracalLimit} per minute per address); asking more would get everyone behind this address refused. ` +
          `Next minute in ${wait} s.`,
      );
    }
    for (const b of list) counts.set(b.key, (counts.get(b.key) ?? 0) + 1);
    return undefined;
  }

  return {
    wrap: (inner) => (input, init) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      const refused = admit(url, init?.method ?? 'GET');
      return refused ? Promise.reject(refused) : inner(input, init);
    },
    admit,
    ownCalls(url) {
      roll();
      const b = buckets(url)[0];
      return b ? { endpoint: b.name, calls: counts.get(b.key) ?? 0, caracalLimit: b.caracalLimit } : undefined;
    },
    counts: () => {
      roll();
      return new Map(counts);
    },
    mayCallReady(expected, share) {
      roll();
      for (const [key, n] of expected) {
        if (key.startsWith(READY_KEY) && n > 0 && (counts.get(key) ?? 0) + n > share) return { ok: false, retryInMs: untilNextMinute() };
      }
      return { ok: true };
    },
  };
}

/**
 * `ctx` with its calls counted on one budget: the one its HTTP target already sends through (the bot's targets
 * always have one), or else `fallback`, admitted per request (tests' hand-made contexts), so the scheduler and
 * the status path always ask the same count.
 */
export function withCallBudget(ctx: CheckContext, fallback: () => CallBudget): { context: CheckContext; budget: CallBudget } {
  if (ctx.http.budget) return { context: ctx, budget: ctx.http.budget };
  const budget = fallback();
  const inner = ctx.http;
  const request: CheckContext['http']['request'] = (url, opts) => {
    const refused = budget.admit(url, opts?.method);
    return refused ? Promise.reject(refused) : inner.request(url, opts);
  };
  return { context: { ...ctx, http: { request, budget } }, budget };
}
