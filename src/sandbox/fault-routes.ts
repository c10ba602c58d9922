// The fault endpoints of the sandbox, mounted on its web server: the browser's fault panel and the tests use the
// same ones. GET /sandbox/faults lists the catalog; POST /sandbox/faults/<id>/inject|clear changes the deployment
// and answers once the simulated services reflect it.
import { readFile } from 'node:fs/promises';
import type { FaultControl } from './caracal/index.ts';
import { FaultError } from './caracal/index.ts';
import { sendJson } from './slack/http.ts';
import type { SandboxSlack } from './slack/server.ts';

const PANEL = new URL('./ui/faults.js', import.meta.url);

export interface FaultRouteDeps {
  faults: FaultControl;
  redisProblem: string | undefined;
  postgresKind: 'pglite' | 'postgres';
}

export function mountFaultRoutes(slack: Pick<SandboxSlack, 'addRoute'>, deps: FaultRouteDeps): void {
  const listing = () => ({
    ok: true,
    faults: deps.faults.list(),
    redis: deps.redisProblem ? `down: ${deps.redisProblem}` : 'up',
    postgres: deps.postgresKind === 'pglite' ? 'embedded PGlite' : 'configured Postgres',
  });
  slack.addRoute('GET', '/sandbox/faults', (_req, res) => sendJson(res, 200, listing(), { 'cache-control': 'no-store' }));
  slack.addRoute('POST', /^\/sandbox\/faults\/[\w-]+\/(inject|clear)$/, async (_req, res, url) => {
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
}
