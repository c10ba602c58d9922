// Operational HTTP routes next to /slack/events: liveness, readiness and Prometheus metrics.
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from '../metrics.ts';

export interface RouteDeps {
  metrics: Metrics;
  isReady: () => Promise<boolean>;
  /** Lines that explain the state (paused Slack channels…), shown under the verdict; never secrets. */
  detail?: () => Promise<string[]>;
  /** When set, /metrics answers only `Authorization: Bearer <token>`. */
  metricsToken?: string;
  /** /metrics is served on its own port instead (see metricsServer): not on the public events port. */
  metricsElsewhere?: boolean;
}

function bearerOk(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(/^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

function serveMetrics(deps: RouteDeps, req: IncomingMessage, res: ServerResponse): void {
  if (!bearerOk(req, deps.metricsToken)) {
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
    res.end('unauthorized');
    return;
  }
  deps.metrics.registry.metrics().then(
    (body) => {
      res.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      res.end(body);
    },
    () => {
      res.writeHead(500);
      res.end();
    },
  );
}

/**
 * /readyz is ready only when the app has started AND its state database answers: without it no click can be
 * recorded, so a load balancer should send traffic to another replica. A paused Slack channel does not make the
 * replica unready (another replica would be refused alike) but is said in the detail.
 */
export function operationalRoutes(deps: RouteDeps): CustomRoute[] {
  const routes: CustomRoute[] = [
    {
      path: '/healthz',
      method: ['GET'],
      handler: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      },
    },
    {
      path: '/readyz',
      method: ['GET'],
      handler: (_req, res) => {
        const detail = deps.detail ? deps.detail().catch(() => []) : Promise.resolve([]);
        Promise.all([deps.isReady(), detail]).then(
          ([ready, lines]) => {
            res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
            res.end([ready ? 'ready' : 'not ready', ...lines].join('\n'));
          },
          () => {
            res.writeHead(503, { 'content-type': 'text/plain' });
            res.end('not ready');
          },
        );
      },
    },
  ];
  if (!deps.metricsElsewhere) routes.push({ path: '/metrics', method: ['GET'], handler: (req, res) => serveMetrics(deps, req, res) });
  return routes;
}

/** /metrics alone on its own port (a scrape network apart from Slack's public events endpoint). */
export function metricsServer(deps: RouteDeps): Server {
  return createServer((req, res) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') return serveMetrics(deps, req, res);
    res.writeHead(404);
    res.end();
  });
}
