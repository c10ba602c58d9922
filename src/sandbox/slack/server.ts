// The local Slack workspace of the sandbox: one HTTP server on 127.0.0.1 that is the bot's Web API
// (`/api/*`, for clientOptions.slackApiUrl), its response_urls (`/response/*`), and the browser page that plays
// Slack's client (`/`, `/ui/*`, `/sandbox/*`). Extra routes (fault injection) are mounted with addRoute.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sendJson, sendText } from './http.ts';
import { SlackFaults } from './faults.ts';
import { createInteractions, type Interactions } from './interactions.ts';
import { pageRoutes } from './page-routes.ts';
import { ResponseUrls } from './response-url.ts';
import { Triggers } from './triggers.ts';
import { webApiHandler } from './web-api.ts';
import { Workspace } from './workspace.ts';
import type { SandboxChannel } from './people.ts';

export type { AckResult, ClickOptions, Interactions } from './interactions.ts';
export { SlackFaults, type FaultCall, type FaultRule } from './faults.ts';
export { SANDBOX_APPROVERS, SANDBOX_BOT, SANDBOX_CHANNELS, SANDBOX_SHORTCUTS, SANDBOX_USERS, Workspace } from './workspace.ts';
export type { SandboxChannel } from './people.ts';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, url: URL) => void | Promise<void>;

export interface SandboxSlackOptions {
  botToken: string;
  signingSecret: string;
  /** The bot's base URL (`http://127.0.0.1:3000`); requests go to `<botUrl>/slack/events`. Settable later. */
  botUrl?: string;
  /** Usergroup id -> member user ids, answered by usergroups.users.list. */
  usergroups?: Readonly<Record<string, readonly string[]>>;
  /** 0 or absent: a free port. */
  port?: number;
  /** Milliseconds clock for trigger expiry, response_url expiry and message ts (tests). */
  now?: () => number;
  /** Channels besides #incident and #drills (many runs, private channels with `members`). */
  channels?: readonly SandboxChannel[];
  /** Draws for faults that apply by chance (a seeded generator in the soak). */
  random?: () => number;
}

export interface SandboxSlack {
  /** `http://127.0.0.1:<port>`: the page is at `${url}/`. */
  url: string;
  /** For the bot's `clientOptions.slackApiUrl`; ends in `/api/`. */
  apiUrl: string;
  workspace: Workspace;
  /** Failure injection on the Web API (`/api/*`): refusals, 429, 5xx, latency. No rule: a healthy Slack. */
  faults: SlackFaults;
  setBotUrl(url: string): void;
  interact: Interactions;
  /** Mount another route; `path` is an exact path or a RegExp on the path. Checked before the built-in routes. */
  addRoute(method: string, path: string | RegExp, handler: RouteHandler): void;
  /** A trigger_id as an interaction by `user` would carry (tests of views.open). */
  issueTrigger(user: string): string;
  close(): Promise<void>;
}

interface Route {
  method: string;
  path: string | RegExp;
  handler: RouteHandler;
}

/**
 * Every route answers only requests addressed to this server by name (Host 127.0.0.1 or localhost with our port:
 * a DNS-rebinding page reaches us under its own host name) and, when a browser says where it comes from, from our
 * own origin. Returns why a request is refused, or undefined.
 */
export function foreignRequest(req: IncomingMessage, baseUrl: string): string | undefined {
  const port = new URL(baseUrl).port;
  const hosts = [`127.0.0.1:${port}`, `localhost:${port}`];
  if (!hosts.includes(req.headers.host ?? '')) return `unexpected Host ${JSON.stringify(req.headers.host ?? '')}: use ${baseUrl}/`;
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin === `http://${h}`)) return `cross-origin request from ${origin} refused`;
  return undefined;
}

export async function startSandboxSlack(options: SandboxSlackOptions): Promise<SandboxSlack> {
  const now = options.now ?? Date.now;
  let baseUrl = '';
  let botUrl = options.botUrl;
  const workspace = new Workspace(now, options.channels);
  const triggers = new Triggers(now);
  const responses = new ResponseUrls(workspace, () => baseUrl, now);
  const interact = createInteractions({ workspace, triggers, responses, signingSecret: options.signingSecret, botUrl: () => botUrl });
  const faults = new SlackFaults(now, options.random);
  const webApi = webApiHandler({
    workspace,
    triggers,
    botToken: options.botToken,
    usergroups: options.usergroups ?? {},
    baseUrl: () => baseUrl,
    faults,
  });
  const respond = responses.handler();
  const page = pageRoutes(workspace, () => interact);
  const extra: Route[] = [];
  const streams = new Set<ServerResponse>();

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const refused = foreignRequest(req, baseUrl);
    if (refused) return sendJson(res, 403, { ok: false, error: refused });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const custom = extra.find((r) => r.method === req.method && (typeof r.path === 'string' ? r.path === path : r.path.test(path)));
    if (custom) return custom.handler(req, res, url);
    if (path.startsWith('/api/')) return webApi(req, res, decodeURIComponent(path.slice('/api/'.length)));
    // Slack's permalink form (auth.test's url + archives/<channel>/p<ts>) opens the channel in the page.
    const archive = /^\/archives\/([A-Z0-9]+)\/p\d+$/.exec(path);
    if (req.method === 'GET' && archive) {
      res.writeHead(302, { location: `/?channel=${encodeURIComponent(archive[1])}` });
      return void res.end();
    }
    if (path.startsWith('/response/')) return respond(req, res, path.slice('/response/'.length));
    if (req.method === 'GET' && (path === '/' || path === '/index.html')) return page.file(res, 'index.html');
    if (req.method === 'GET' && path.startsWith('/ui/')) return page.file(res, path.slice('/ui/'.length));
    if (req.method === 'GET' && path === '/sandbox/state') return page.state(res, url);
    if (req.method === 'GET' && path === '/sandbox/ext.js') return page.emptyExtension(res);
    if (req.method === 'GET' && path === '/sandbox/events') return page.events(req, res, streams);
    if (req.method === 'POST' && path === '/sandbox/interact') return page.interact(req, res);
    sendText(res, 404, 'not found');
  };

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: 'internal_error' });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: baseUrl,
    apiUrl: `${baseUrl}/api/`,
    workspace,
    faults,
    setBotUrl: (url) => {
      botUrl = url;
    },
    interact,
    addRoute: (method, path, handler) => {
      extra.push({ method: method.toUpperCase(), path, handler });
    },
    issueTrigger: (user) => triggers.issue(user),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Open event streams never end by themselves; close() must not wait for browsers to go away.
        for (const res of streams) res.end();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
