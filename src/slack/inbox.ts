// No lost click (issue 14 item 8). Slack never retries an acked request, so a click acked in the instant before a
// SIGKILL was lost. A click or command that only writes to the bot's database is therefore saved first: one row in
// the inbox (store/inbox.ts), then the ack, then the handler, then the row is deleted. A replica killed after the
// ack leaves the row behind; once its hold runs out, any replica's sweep hands it to the same handler, and the
// person gets the answer on the request's response_url. Handlers are idempotent by the request's own key (a click's
// action_ts, a command's trigger_id), so a request handled both by its replica and by a sweep is applied once.
//
// Saving is one INSERT with no lock, batched with the requests saved in the same instant, on connections of its own
// (Db.forAcks): the ack of a burst waits neither for a decision (a run's lock, its reads and writes), which runs after
// the ack as for any click, nor for a pool connection that decisions hold while they wait for a run.
// Deletes are batched the same way.
import { randomUUID } from 'node:crypto';
import type { RespondArguments, RespondFn } from '@slack/bolt';
import type { FetchFunction, WebClient } from '@slack/web-api';
import type { Logger } from '../logger.ts';
import { scrubDeep, type Scrub } from '../redact.ts';
import type { Db } from '../store/db.ts';
import { deleteRequests, saveRequests, takeAbandonedRequests, type SavedRequest } from '../store/inbox.ts';
import { saveBatcher } from './save-batcher.ts';
import { periodicTask } from '../periodic.ts';

/** Well inside Slack's 3 s (and the receiver's unhandled-request timeout of 2.5 s): past it the request is acked. */
export const SAVE_BUDGET_MS = 1500;
/** A request not handled by its replica within this is taken over by a sweep. */
export const DEFAULT_HOLD_MS = 10_000;
/** After this many takeovers a request is given up (logged at error level): its handler keeps failing. */
const MAX_ATTEMPTS = 5;

/** What a saved request is handled again with: what Bolt gives its listener, rebuilt from the body. */
export interface ReplayArgs {
  respond: RespondFn;
  client: WebClient;
  logger: Logger;
}
/** Handles a saved request again, from its body alone (the route's handler, as its listener would call it). */
export type Replay = (body: unknown, args: ReplayArgs) => Promise<void>;

export interface InboxDeps {
  db: Db;
  logger: Logger;
  /** The egress fetch (scrub and fit), which Bolt's own respond() uses too. */
  fetch: FetchFunction;
  /** The app's Web API client (Bolt's, built with the app). */
  client: () => WebClient;
  /** Every configured secret, scrubbed from a request before it is stored (a note may carry a pasted token). */
  scrub: Scrub;
  holdMs?: number;
  sweepEveryMs?: number;
}

/** Bolt's respond(), for a request handled without Bolt: a POST of the answer to the request's response_url. */
export function respondTo(fetch: FetchFunction, responseUrl: string | undefined): RespondFn {
  return async (message: string | RespondArguments) => {
    if (!responseUrl) throw new Error('the saved request has no response_url');
    const res = await fetch(responseUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(typeof message === 'string' ? { text: message } : message),
    });
    if (!res.ok) throw new Error(`Failed to respond to the response_url: ${res.status}`);
    return res;
  };
}

/** Where a saved body's answers go: a command's and a click's response_url (or a modal's first one). */
function responseUrlOf(body: unknown): string | undefined {
  const b = body as { response_url?: unknown; response_urls?: { response_url?: unknown }[] };
  const url = typeof b.response_url === 'string' ? b.response_url : b.response_urls?.[0]?.response_url;
  return typeof url === 'string' ? url : undefined;
}

/**
 * What is stored of a request: all of it but Slack's legacy verification `token` and the clicked message's blocks
 * (no saved handler reads them), with every configured secret scrubbed, as the event log stores a note.
 */
function keptBody(body: unknown, scrub: Scrub): unknown {
  const { token: _t, message, ...rest } = body as { token?: unknown; message?: unknown };
  const kept =
    message && typeof message === 'object'
      ? { ...rest, message: Object.fromEntries(Object.entries(message).filter(([k]) => k !== 'blocks' && k !== 'attachments')) }
      : rest;
  return scrubDeep(kept, scrub);
}

export function createInbox(deps: InboxDeps) {
  const holdMs = deps.holdMs ?? DEFAULT_HOLD_MS;
  const log = deps.logger.child({ component: 'inbox' });
  const routes = new Map<string, Replay>();
  const save = saveBatcher<SavedRequest>((batch) => saveRequests(deps.db.forAcks, batch, holdMs));
  const remove = saveBatcher<string>((ids) => deleteRequests(deps.db, ids));

  async function replay(request: SavedRequest): Promise<void> {
    const handle = routes.get(request.route);
    const logger = log.child({ route: request.route, requestId: request.id, attempt: request.attempts });
    if (!handle || request.attempts > MAX_ATTEMPTS) {
      logger.error(handle ? 'a saved request kept failing; given up' : 'a saved request has no handler; dropped');
      return remove(request.id);
    }
    await handle(request.body, { respond: respondTo(deps.fetch, responseUrlOf(request.body)), client: deps.client(), logger });
    await remove(request.id);
    logger.warn('handled a request its replica acked but did not finish (killed after the ack?)');
  }

  async function sweepOnce(): Promise<void> {
    for (const request of await takeAbandonedRequests(deps.db, holdMs, 20))
      await replay(request).catch((err: unknown) => log.warn({ err, requestId: request.id }, 'saved request failed again'));
  }
  const sweeper = periodicTask(sweepOnce, {
    everyMs: deps.sweepEveryMs ?? 2000,
    onError: (err) => log.warn({ err }, 'inbox sweep failed'),
  });

  return {
    /** Declares how requests saved under `route` are handled again (registered with the route's listener). */
    route(name: string, handle: Replay): void {
      routes.set(name, handle);
    },
    /**
     * Saves the request, acks it, then runs `work` (which answers on its own, errors included) and deletes the
     * saved row. Past the save budget, or if the save fails, the request is acked anyway and handled as ack-first.
     */
    async receive(route: string, body: unknown, ack: () => Promise<void>, work: () => Promise<void>): Promise<void> {
      const id = randomUUID();
      const saved = save({ id, route, body: keptBody(body, deps.scrub), attempts: 0 }).then(
        () => true,
        (err: unknown) => (log.error({ err, route }, 'could not save a request before its ack; handling it unsaved'), false),
      );
      let budget: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((r) => (budget = setTimeout(() => r('late'), SAVE_BUDGET_MS)));
      if ((await Promise.race([saved, late])) === 'late') log.warn({ route }, 'saving a request outlived the ack budget');
      clearTimeout(budget);
      await ack();
      await work();
      if (await saved) await remove(id).catch((err: unknown) => log.warn({ err }, 'inbox delete failed'));
    },
    /** Handles now the requests whose replica did not (tests; it also runs every few seconds). */
    sweep: sweeper.run,
    start: sweeper.start,
    stop: sweeper.stop,
  };
}

export type RequestInbox = ReturnType<typeof createInbox>;
