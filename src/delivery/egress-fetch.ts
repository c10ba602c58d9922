// The boundary every byte for Slack crosses: the Web API client of Bolt and of the outbox, and Bolt's respond()
// (response_url), all send through this `fetch` (WebClientOptions.fetch, which Bolt also uses for respond). Each
// message-carrying field is scrubbed of secrets and made to fit Slack's limits here, whoever built it, so a
// message is neither refused for its size nor able to carry a token into a channel.
import type { KnownBlock } from '@slack/types';
import type { FetchFunction } from '@slack/web-api';
import { fitMessage } from '../blocks/limits.ts';
import { scrubDeep, type Scrub } from '../redact.ts';

type Fetch = FetchFunction;

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
  return { ...fields, ...(typeof fields.text === 'string' ? { text: fitted.text } : {}), ...(fitted.blocks ? { blocks: fitted.blocks } : {}) };
}

/** Scrub (and, for messages, fit) the content fields of one request's arguments. */
export function cleanArguments(fields: Fields, scrub: Scrub, isMessage: boolean): Fields {
  const out: Fields = { ...fields };
  for (const k of TEXT_FIELDS) if (typeof out[k] === 'string') out[k] = scrub(out[k]);
  for (const k of JSON_FIELDS) if (out[k] !== undefined) out[k] = scrubDeep(out[k], scrub);
  return isMessage ? fitFields(out) : out;
}

function cleanForm(body: string, scrub: Scrub, isMessage: boolean): string {
  const params = new URLSearchParams(body);
  const fields: Fields = {};
  for (const [k, v] of params) {
    if ((JSON_FIELDS as readonly string[]).includes(k)) {
      try {
        fields[k] = JSON.parse(v) as unknown;
        continue;
      } catch {
        // not JSON: scrubbed as text below
      }
    }
    fields[k] = v;
  }
  const cleaned = cleanArguments(fields, scrub, isMessage);
  const out = new URLSearchParams();
  for (const [k, v] of Object.entries(cleaned)) out.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  return out.toString();
}

function methodOf(url: string): string | undefined {
  return /\/api\/([a-zA-Z.]+)$/.exec(new URL(url).pathname)?.[1];
}

/** `base` is looked up at each call, so an interceptor installed later (nock in tests, a proxy agent) still applies. */
export function egressFetch(scrub: Scrub, base: Fetch = (i, init) => globalThis.fetch(i, init)): Fetch {
  return (input, init) => {
    const body = init?.body;
    if (typeof body !== 'string') return base(input, init); // file uploads (FormData) and GETs pass as they are
    const url = typeof input === 'string' ? input : input.href;
    const method = methodOf(url);
    const contentType = Object.entries(init?.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
    let cleaned: string;
    if (contentType.includes('application/json')) {
      // respond() to a response_url: always a message.
      cleaned = JSON.stringify(cleanArguments(JSON.parse(body) as Fields, scrub, method === undefined || MESSAGE_METHODS.has(method)));
    } else {
      cleaned = cleanForm(body, scrub, method !== undefined && MESSAGE_METHODS.has(method));
    }
    return base(input, { ...init, body: cleaned });
  };
}
