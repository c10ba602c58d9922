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
  const egress = (takeSlot: boolean) => egressFetch(scrub, deps.clientOptions?.fetch, { pacer, takeSlot, maxWaitMs: SLOT_WAIT_MS });
  const withEgress = (fetch: FetchFunction): WebClientOptions => ({
    retryConfig: { retries: 3 },
    timeout: 10_000,
    ...deps.clientOptions,
    fetch,
  });
  const fetch = egress(true);
  return {
    scrub,
    pacer,
    /** What Bolt's respond() sends with; answers to saved requests (slack/inbox.ts) go through it too. */
    fetch,
    clientOptions: withEgress(fetch),
    /** For the outbox and alert delivery, which take the channel's slot themselves before they post. */
    selfPacedOptions: withEgress(egress(false)),
  };
}
