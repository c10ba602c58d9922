// The bot counts its own calls to each Caracal endpoint and stays under Caracal's limits (caracal-ops.md §1.5,
// §1.6, §15.1.4): API and Coordinator `/ready` allow 120 requests per minute per client address, everything else
// on the Coordinator 600. Caracal counts per wall-clock minute (`…:<ip>:<minute>` keys), so the budget does too:
// any minute Caracal counts holds at most the budget from this replica. A call over budget is not sent; it fails
// at once with a TargetError that says so (a check that could not ask is a failure, never a pass).
//
// Per replica: Caracal limits per client address, and each replica (pod) has its own.
import { TargetError } from '../../errors.ts';

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

export interface CallBudget {
  /** The fetch every attempt goes through (retries count too: Caracal counts them). */
  wrap(inner: typeof fetch): typeof fetch;
  /** What this replica sent this minute to the limited endpoint `url` belongs to (the first one that applies). */
  ownCalls(url: string): OwnCalls | undefined;
  /** Calls per limited endpoint this minute (tests, /metrics). */
  counts(): Map<string, number>;
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
    if (path.endsWith('/ready')) out.push({ name: `/ready of ${displayUrl(url).replace(/\/ready$/, '')}`, key: `ready ${displayUrl(url)}`, budget: options.readyPerMinute, caracalLimit: CARACAL_LIMITS.ready });
    if (coordinators.has(origin(url)) && !path.endsWith('/health')) {
      out.push({ name: `the Coordinator at ${origin(url)}`, key: `coordinator ${origin(url)}`, budget: options.coordinatorPerMinute, caracalLimit: CARACAL_LIMITS.coordinator });
    }
    return out;
  }

  function roll(): void {
    const m = Math.floor(options.now().getTime() / 60_000);
    if (m === minute) return;
    minute = m;
    counts.clear();
  }

  /** Count the call, or answer why it is not sent. */
  function take(url: string, method: string): CallBudgetExceeded | undefined {
    roll();
    const list = buckets(url);
    const full = list.find((b) => (counts.get(b.key) ?? 0) >= b.budget);
    if (full) {
      const wait = 60 - (Math.floor(options.now().getTime() / 1000) % 60);
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
      const refused = take(url, init?.method ?? 'GET');
      return refused ? Promise.reject(refused) : inner(input, init);
    },
    ownCalls(url) {
      roll();
      const b = buckets(url)[0];
      return b ? { endpoint: b.name, calls: counts.get(b.key) ?? 0, caracalLimit: b.caracalLimit } : undefined;
    },
    counts: () => {
      roll();
      return new Map(counts);
    },
  };
}
