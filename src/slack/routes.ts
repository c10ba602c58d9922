// Operational HTTP routes next to /slack/events: liveness, readiness and Prometheus metrics.
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from '../metrics.ts';

export function operationalRoutes(deps: { metrics: Metrics; isReady: () => boolean }): CustomRoute[] {
  return [
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
        const ready = deps.isReady();
        res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
        res.end(ready ? 'ready' : 'not ready');
      },
    },
    {
      path: '/metrics',
      method: ['GET'],
      handler: (_req, res) => {
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
      },
    },
  ];
}
