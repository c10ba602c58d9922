// The fault endpoints of the sandbox, mounted on its web server: the browser's fault panel and the tests use the
// same ones. GET /sandbox/faults lists the catalog (and the per-start token); POST /sandbox/faults/<id>/inject|clear
// changes the deployment and answers once the simulated services reflect it.
// A web page on another origin must not inject faults: POSTs need a same-origin Origin (when the browser sends
// one) and the token of this start, which only a same-origin page can read from the listing.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import type { FaultControl } from './caracal/index.ts';
import { FaultError } from './caracal/index.ts';
import { sendJson } from './slack/http.ts';
import type { SandboxSlack } from './slack/server.ts';

const PANEL = new URL('./ui/faults.js', import.meta.url);
export const FAULT_TOKEN_HEADER = 'x-sandbox-token';

export interface FaultRouteDeps {
  faults: FaultControl;
  redisProblem: string | undefined;
  postgresKind: 'pglite' | 'postgres';
  /** The per-start token; a random one when absent. */
  token?: string;
}

/** What the sidebar says about the simulated stores: as they are now, injected outages included. */
export function infraState(deps: Pick<FaultRouteDeps, 'faults' | 'redisProblem' | 'postgresKind'>): { redis: string; postgres: string } {
  const active = new Set(deps.faults.active());
  const kind = deps.postgresKind === 'pglite' ? 'embedded PGlite' : 'configured Postgres';
  return {
    redis: deps.redisProblem ? `down: ${deps.redisProblem}` : active.has('redis_outage') ? 'down (simulated outage)' : 'up',
    postgres: active.has('postgres_outage') ? `${kind}, down (simulated outage)` : kind,
  };
}

function sameToken(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(token));
}

function refusal(req: IncomingMessage, token: string): string | undefined {
  if (!sameToken(req.headers[FAULT_TOKEN_HEADER], token))
    return `missing or wrong ${FAULT_TOKEN_HEADER} header (read it from GET /sandbox/faults)`;
  return undefined;
}

export function mountFaultRoutes(slack: Pick<SandboxSlack, 'addRoute'>, deps: FaultRouteDeps): { token: string } {
  const token = deps.token ?? randomBytes(16).toString('hex');
  const listing = () => ({ ok: true, faults: deps.faults.list(), ...infraState(deps), token });
  slack.addRoute('GET', '/sandbox/faults', (_req, res) => sendJson(res, 200, listing(), { 'cache-control': 'no-store' }));
  slack.addRoute('POST', /^\/sandbox\/faults\/[\w-]+\/(inject|clear)$/, async (req, res, url) => {
    const refused = refusal(req, token);
    if (refused) return sendJson(res, 403, { ok: false, error: refused });
    const [, , , id = '', verb] = url.pathname.split('/');
    try {
      await (verb === 'inject' ? deps.faults.inject(id) : deps.faults.clear(id));
      sendJson(res, 200, listing());
    } catch (err) {
      // A bad fault id or an unavailable fault is the caller's problem (400); anything else is the sandbox's (500).
      if (err instanceof FaultError) return sendJson(res, 400, { ok: false, error: err.message });
      sendJson(res, 500, { ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
  // The page imports /sandbox/ext.js and lets it render into #sandbox-panels: here, the fault panel.
  slack.addRoute('GET', '/sandbox/ext.js', async (_req, res) => {
    const body = await readFile(PANEL);
    res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' });
    res.end(body);
  });
  return { token };
}
