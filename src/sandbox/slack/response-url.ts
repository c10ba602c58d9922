// response_url: `POST /response/<id>` with the JSON body Bolt's respond() sends. Ephemeral by default; in_channel,
// replace_original and delete_original act on the message the interaction came from. Like Slack, each URL
// works at most 5 times within 30 minutes; after that it answers 404.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readContent } from './content.ts';
import { BodyTooLarge, readBody, sendJson, sendText } from './http.ts';
import { isObject, parseJsonField, str, type JsonObject } from './json.ts';
import { SANDBOX_BOT } from './people.ts';
import { isInvalid } from './validate.ts';
import type { Workspace } from './workspace.ts';

export const RESPONSE_URL_MAX_USES = 5;
export const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;

/** What replace_original/delete_original act on: a channel message, an ephemeral one, or (commands) nothing yet. */
export type ResponseSource = { kind: 'message'; ts: string } | { kind: 'ephemeral'; ts: string } | { kind: 'command' };

interface Entry {
  user: string;
  channel: string;
  source: ResponseSource;
  threadTs?: string;
  uses: number;
  createdAt: number;
}

export interface ResponseAnswer {
  status: number;
  body: string | JsonObject;
}

export class ResponseUrls {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly workspace: Workspace,
    private readonly baseUrl: () => string,
    private readonly now: () => number = Date.now,
  ) {}

  issue(user: string, channel: string, source: ResponseSource, threadTs?: string): string {
    const id = randomBytes(12).toString('hex');
    this.entries.set(id, { user, channel, source, uses: 0, createdAt: this.now(), ...(threadTs ? { threadTs } : {}) });
    return `${this.baseUrl()}/response/${id}`;
  }

  /** A command's immediate (ack) answer becomes the message a later replace_original replaces. */
  setSource(url: string, source: ResponseSource): void {
    const entry = this.entries.get(url.split('/').pop() ?? '');
    if (entry) entry.source = source;
  }

  handle(id: string, body: unknown): ResponseAnswer {
    const entry = this.entries.get(id);
    if (!entry) return { status: 404, body: 'no_such_url' };
    if (this.now() - entry.createdAt > RESPONSE_URL_TTL_MS) return { status: 404, body: 'expired_url' };
    if (entry.uses >= RESPONSE_URL_MAX_USES) return { status: 404, body: 'used_url' };
    if (!isObject(body)) return { status: 400, body: 'invalid_payload' };
    if (body.delete_original === true) {
      entry.uses++;
      this.deleteSource(entry);
      return { status: 200, body: { ok: true } };
    }
    const content = readContent(body, true);
    if (isInvalid(content)) return { status: 400, body: content.error };
    entry.uses++;
    const message = { text: content.text ?? '', blocks: content.blocks ?? [] };
    const threadTs = str(body.thread_ts) ?? entry.threadTs;
    const { source } = entry;
    if (body.replace_original === true && source.kind === 'message' && this.workspace.message(entry.channel, source.ts)) {
      this.workspace.update(entry.channel, source.ts, message);
    } else if (body.replace_original === true && source.kind === 'ephemeral' && this.workspace.ephemeral(source.ts)) {
      this.workspace.replaceEphemeral(source.ts, message);
    } else if (body.response_type === 'in_channel') {
      this.workspace.post({ channel: entry.channel, botId: SANDBOX_BOT.botId, ...message, ...(threadTs ? { threadTs } : {}) });
    } else {
      const posted = this.workspace.postEphemeral({
        channel: entry.channel,
        user: entry.user,
        ...message,
        ...(threadTs ? { threadTs } : {}),
      });
      if (source.kind === 'command') entry.source = { kind: 'ephemeral', ts: posted.ts };
    }
    return { status: 200, body: { ok: true } };
  }

  handler(): (req: IncomingMessage, res: ServerResponse, id: string) => Promise<void> {
    return async (req, res, id) => {
      try {
        if (req.method !== 'POST') return sendText(res, 405, 'method_not_allowed');
        const raw = await readBody(req);
        // respond() posts JSON; a form body with `payload=` is accepted too, as Slack does.
        const json = raw.startsWith('payload=') ? (new URLSearchParams(raw).get('payload') ?? '') : raw;
        const parsed = parseJsonField(json);
        const answer = this.handle(id, parsed instanceof Error ? undefined : parsed);
        if (typeof answer.body === 'string') sendText(res, answer.status, answer.body);
        else sendJson(res, answer.status, answer.body);
      } catch (err) {
        sendText(res, err instanceof BodyTooLarge ? 413 : 500, err instanceof BodyTooLarge ? 'too_large' : 'internal_error');
      }
    };
  }

  private deleteSource(entry: Entry): void {
    const { source } = entry;
    if (source.kind === 'message') this.workspace.delete(entry.channel, source.ts);
    if (source.kind === 'ephemeral') this.workspace.deleteEphemeral(source.ts);
  }
}
