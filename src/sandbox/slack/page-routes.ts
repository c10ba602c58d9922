// The routes the sandbox page uses: its files, what one person sees (`/sandbox/state`), a Server-Sent Events
// ping on every change (`/sandbox/events`), and the person's actions (`POST /sandbox/interact`).
import { readdir, readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { readBody, sendJson, sendText } from './http.ts';
import type { Interactions } from './interactions.ts';
import { parseJsonField } from './json.ts';
import type { AckResult } from './signing.ts';
import { userState } from './state-view.ts';
import type { Workspace } from './workspace.ts';

const UI_DIR = new URL('../ui/', import.meta.url);
const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
/** The page loads nothing from elsewhere: scripts, styles and requests stay on this server. */
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'";

const user = z.string().min(1);
const interaction = z.discriminatedUnion('type', [
  z.object({ type: z.literal('command'), user, channel: z.string(), text: z.string().max(4000) }),
  z.object({
    type: z.literal('click'),
    user,
    channel: z.string(),
    ts: z.string(),
    actionId: z.string(),
    blockId: z.string().optional(),
    value: z.string().optional(),
    text: z.string().optional(),
    selected: z.array(z.string()).optional(),
  }),
  z.object({ type: z.literal('submit'), user, viewId: z.string(), values: z.record(z.string(), z.record(z.string(), z.string())) }),
  z.object({ type: z.literal('close'), user, viewId: z.string() }),
  z.object({ type: z.literal('shortcut'), user, channel: z.string(), ts: z.string(), callbackId: z.string() }),
  z.object({ type: z.literal('message'), user, channel: z.string(), text: z.string().min(1).max(40_000), threadTs: z.string().optional() }),
  z.object({ type: z.literal('dismiss'), user, ts: z.string() }),
  z.object({ type: z.literal('home'), user }),
  z.object({ type: z.literal('homeClick'), user, actionId: z.string(), blockId: z.string().optional(), value: z.string().optional() }),
]);
export type PageInteraction = z.infer<typeof interaction>;

const done: AckResult = { sent: false, status: 200, body: '' };

/** Runs one page action; plain messages and dismissals are the sandbox's own, everything else reaches the bot. */
export async function runInteraction(a: PageInteraction, interact: Interactions, workspace: Workspace): Promise<AckResult> {
  switch (a.type) {
    case 'command':
      return interact.command(a.user, a.channel, a.text);
    case 'click':
      return interact.click(a.user, a.channel, a.ts, a.actionId, {
        blockId: a.blockId,
        value: a.value,
        text: a.text,
        selected: a.selected,
      });
    case 'submit':
      return interact.submitView(a.user, a.viewId, a.values);
    case 'close':
      return interact.closeView(a.user, a.viewId);
    case 'shortcut':
      return interact.shortcut(a.user, a.channel, a.ts, a.callbackId);
    case 'message': {
      if (!workspace.user(a.user) || !workspace.channel(a.channel)) return { ...done, status: 0, error: 'unknown_user_or_channel' };
      workspace.post({
        channel: workspace.channel(a.channel)!.id,
        user: a.user,
        text: a.text,
        blocks: [],
        ...(a.threadTs ? { threadTs: a.threadTs } : {}),
      });
      return done;
    }
    case 'home':
      return interact.openHome(a.user);
    case 'homeClick':
      return interact.clickHome(a.user, a.actionId, { blockId: a.blockId, value: a.value });
    case 'dismiss': {
      const e = workspace.ephemeral(a.ts);
      if (e?.user === a.user) workspace.deleteEphemeral(a.ts);
      return done;
    }
  }
}

export function pageRoutes(workspace: Workspace, interact: () => Interactions) {
  return {
    async file(res: ServerResponse, name: string): Promise<void> {
      const ext = name.split('.').pop() ?? '';
      // Only plain file names that exist in the UI folder: no path can leave it.
      const allowed = /^[a-z0-9-]+\.(html|js|css)$/.test(name) && (await readdir(UI_DIR)).includes(name);
      if (!allowed) return sendText(res, 404, 'not found');
      const body = await readFile(new URL(name, UI_DIR));
      res.writeHead(200, {
        'content-type': `${TYPES[ext]}; charset=utf-8`,
        'cache-control': 'no-cache',
        'content-security-policy': CSP,
        'x-content-type-options': 'nosniff',
      });
      res.end(body);
    },

    /** The page imports /sandbox/ext.js; until another part of the sandbox mounts one (addRoute), it is empty. */
    emptyExtension(res: ServerResponse): void {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
      res.end('// No sandbox extension is mounted.\n');
    },

    state(res: ServerResponse, url: URL): void {
      const state = userState(
        workspace,
        url.searchParams.get('user') ?? workspace.users[0].id,
        url.searchParams.get('channel') ?? workspace.channels[0].id,
      );
      if (!state) return sendJson(res, 404, { ok: false, error: 'unknown user or channel' });
      sendJson(res, 200, state, { 'cache-control': 'no-store' });
    },

    events(req: IncomingMessage, res: ServerResponse, streams: Set<ServerResponse>): void {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      const ping = (version: number) => res.write(`data: ${JSON.stringify({ version })}\n\n`);
      res.write('retry: 1000\n\n');
      ping(workspace.version);
      const unsubscribe = workspace.subscribe(ping);
      // A comment line now and then keeps idle proxies and browsers from dropping the stream.
      const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
      keepAlive.unref();
      streams.add(res);
      req.on('close', () => {
        unsubscribe();
        clearInterval(keepAlive);
        streams.delete(res);
      });
    },

    async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
      // JSON only: a page on another origin cannot send it without a CORS preflight, which is never granted.
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return sendJson(res, 415, { ok: false, error: 'json_required' });
      const parsed = interaction.safeParse(parseJsonField(await readBody(req)));
      if (!parsed.success)
        return sendJson(res, 400, { ok: false, error: 'invalid_interaction', issues: parsed.error.issues.map((i) => i.message) });
      const ack = await runInteraction(parsed.data, interact(), workspace);
      sendJson(res, 200, { ok: !ack.error, ...ack });
    },
  };
}
