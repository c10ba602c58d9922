// The boundary every byte for Slack crosses: the Web API client of Bolt and of the outbox, and Bolt's respond()
// (response_url), all send through this `fetch` (WebClientOptions.fetch, which Bolt also uses for respond). Each
// message-carrying field is scrubbed of secrets and made to fit Slack's limits here, whoever built it, so a
// message is neither refused for its size nor able to carry a token into a channel. Message calls are paced here
// too, with the one pacer of the process: a Retry-After seen by any caller holds back every caller's calls of that
// method in that channel, and posts that did not take the channel's posting slot themselves (status reports, the
// timeline, details) take it here, so they share Slack's per-channel rate with the outbox instead of racing it.
import type { KnownBlock } from '@slack/types';
import type { FetchFunction } from '@slack/web-api';
import { fitMessage } from '../blocks/limits.ts';
import { scrubDeep, type Scrub } from '../redact.ts';
import type { Pacer } from './pacer.ts';

type Fetch = FetchFunction;
type FetchResponse = Awaited<ReturnType<Fetch>>;

/** Fields that carry content; ids, tokens, channels and timestamps are never touched. */
const TEXT_FIELDS = ['text', 'markdown_text', 'alt_text', 'title', 'initial_comment'] as const;
const JSON_FIELDS = ['blocks', 'attachments', 'view', 'metadata'] as const;
/** Methods whose blocks are a message (50 blocks); views have their own limit of 100 and are only scrubbed. */
const MESSAGE_METHODS = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'chat.scheduleMessage']);

type Fields = Record<string, unknown>;

function fitFields(fields: Fields): Fields {
  const text = typeof fields.text === 'string' ? fields.text : '';
  const blocks = Array.isArray(fields.blocks) ? (fields.blocks as KnownBlock[]) : undefined;
  const fitted = fitMessage({ text, ...(blocks ? { blocks } : {}) });
  return {
    ...fields,
    ...(typeof fields.text === 'string' ? { text: fitted.text } : {}),
    ...(fitted.blocks ? { blocks: fitted.blocks } : {}),
  };
}

/** Scrub (and, for messages, fit) the content fields of one request's arguments. */
export function cleanArguments(fields: Fields, scrub: Scrub, isMessage: boolean): Fields {
  const out: Fields = { ...fields };
  for (const k of TEXT_FIELDS) if (typeof out[k] === 'string') out[k] = scrub(out[k]);
  for (const k of JSON_FIELDS) if (out[k] !== undefined) out[k] = scrubDeep(out[k], scrub);
  return isMessage ? fitFields(out) : out;
}

function parseForm(body: string): Fields {
  const fields: Fields = {};
  for (const [k, v] of new URLSearchParams(body)) {
    if ((JSON_FIELDS as readonly string[]).includes(k)) {
      try {
        fields[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // not JSON: scrubbed as text
      }
    }
    fields[k] = v;
  }
  return fields;
}

function formOf(fields: Fields): string {
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) out.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return out.toString();
}

function methodOf(url: string): string | undefined {
  return /\/api\/([a-zA-Z.]+)$/.exec(new URL(url).pathname)?.[1];
}

export interface EgressPacing {
  pacer: Pacer;
  /** Take the channel's posting slot for chat.postMessage (false for callers that take it themselves: the outbox). */
  takeSlot: boolean;
  /** Wait at most this long for a slot or a Retry-After; beyond it the caller gets Slack's own 429 to handle. */
  maxWaitMs: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The answer Slack itself gives when a method is rate limited: every WebClient handles it (waits, or rejects). */
function rateLimited(waitMs: number): FetchResponse {
  return new Response(JSON.stringify({ ok: false, error: 'ratelimited' }), {
    status: 429,
    headers: { 'content-type': 'application/json', 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) },
  });
}

async function paced(pacing: EgressPacing, method: string, channel: string, send: () => Promise<FetchResponse>): Promise<FetchResponse> {
  const { pacer, maxWaitMs } = pacing;
  const sleep = pacing.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const blocked = pacer.blockedFor(method, channel);
  if (blocked > maxWaitMs) return rateLimited(blocked);
  if (blocked > 0) await sleep(blocked);
  if (pacing.takeSlot && method === 'chat.postMessage') {
    const wait = await pacer.slot(channel, maxWaitMs);
    if (wait > 0) return rateLimited(wait);
  }
  const res = await send();
  if (res.status === 429) pacer.retryAfter(method, channel, (Number(res.headers.get('retry-after')) || 1) * 1000);
  return res;
}

/** `base` is looked up at each call, so an interceptor installed later (nock in tests, a proxy agent) still applies. */
export function egressFetch(scrub: Scrub, base: Fetch = (i, init) => globalThis.fetch(i, init), pacing?: EgressPacing): Fetch {
  return (input, init) => {
    const body = init?.body;
    if (typeof body !== 'string') return base(input, init); // file uploads (FormData) and GETs pass as they are
    const url = typeof input === 'string' ? input : input.href;
    const method = methodOf(url);
    const contentType = Object.entries(init?.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    if (contentType.includes('application/json')) {
      // respond() to a response_url: always a message, answered to a click or command (not paced: no channel rate).
      const cleaned = cleanArguments(JSON.parse(body) as Fields, scrub, method === undefined || MESSAGE_METHODS.has(method));
      return base(input, { ...init, body: JSON.stringify(cleaned) });
    }
    const isMessage = method !== undefined && MESSAGE_METHODS.has(method);
    const cleaned = cleanArguments(parseForm(body), scrub, isMessage);
    const send = () => base(input, { ...init, body: formOf(cleaned) });
    const channel = typeof cleaned.channel === 'string' ? cleaned.channel : undefined;
    return pacing && isMessage && method && channel ? paced(pacing, method, channel, send) : send();
  };
}
