// How this process talks to Slack: every request (Web API and response_url) crosses one boundary that scrubs
// secrets and fits limits, and one pacer shares Retry-After and each channel's posting slot between all callers.
// Built once by createApp (app.ts) and handed to everything that calls Slack.
import type { FetchFunction, WebClientOptions } from '@slack/web-api';
import { secretValues, type Config } from '../config.ts';
import { egressFetch } from '../delivery/egress-fetch.ts';
import { createPacer } from '../delivery/pacer.ts';
import { scrubber } from '../redact.ts';
import type { Db } from '../store/db.ts';

/** A direct post waits at most this long for its channel's slot or a Retry-After; then its client sees Slack's 429. */
const SLOT_WAIT_MS = 10_000;
/** How long a Slack call may take (the Web API client's timeout), at most. */
const SLACK_TIMEOUT_MS = 10_000;

export function createSlackEgress(deps: { config: Config; db: Db; clientOptions?: WebClientOptions | undefined }) {
  const { config, db } = deps;
  const scrub = scrubber(secretValues(config));
  // One pacer for every Slack call of this process: Retry-After and each channel's posting slot are shared by the
  // outbox, the alert messages and everything that answers directly (reports, timeline, details).
  const pacer = createPacer({
    db,
    postIntervalMs: config.slack.postIntervalMs,
    now: Date.now,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  });
  const withEgress = (fetch: FetchFunction, timeout: number): WebClientOptions => ({
    retryConfig: { retries: 3 },
    timeout,
    ...deps.clientOptions,
    fetch,
  });
  const fetch = egressFetch(scrub, deps.clientOptions?.fetch, { pacer, takeSlot: true, maxWaitMs: SLOT_WAIT_MS });
  // The outbox and the alert messages post under a lease checked before each call: a call that waited for a
  // Retry-After inside the fetch, or ran past a third of the lease, could land after another replica had taken the
  // lease over and read the thread back, and the entry was posted twice. They pace themselves before the call, so
  // their fetch never waits (a hold is answered as Slack's own 429), and their calls end within a third of the lease.
  const leased = egressFetch(scrub, deps.clientOptions?.fetch, { pacer, takeSlot: false, maxWaitMs: 0 });
  // Alert groups are leased for 30 s: a third of it is the 10 s bound already.
  const leasedTimeout = Math.min(SLACK_TIMEOUT_MS, Math.floor(config.slack.deliveryLeaseMs / 3));
  return {
    scrub,
    pacer,
    /** What Bolt's respond() sends with; answers to saved requests (slack/inbox.ts) go through it too. */
    fetch,
    clientOptions: withEgress(fetch, SLACK_TIMEOUT_MS),
    /** For the outbox and alert delivery, which take the channel's slot themselves before they post, under a lease. */
    selfPacedOptions: withEgress(leased, leasedTimeout),
  };
}
