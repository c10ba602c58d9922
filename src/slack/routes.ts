// Operational HTTP routes next to /slack/events: liveness, readiness and Prometheus metrics.
import type { CustomRoute } from '@slack/bolt';
import type { Metrics } from '../metrics.ts';

/**
 * /readyz is ready only when the app has started AND its state database answers: without it no click can be
 * recorded, so a load balancer should send traffic to another replica.
 */
export function operationalRoutes(deps: { metrics: Metrics; isReady: () => Promise<boolean> }): CustomRoute[] {
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
        deps.isReady().then(
          (ready) => {
            res.writeHead(ready ? 200 : 503, { 'content-type': 'text/plain' });
            res.end(ready ? 'ready' : 'not ready');
          },
          () => {
            res.writeHead(503, { 'content-type': 'text/plain' });
            res.end('not ready');
          },
        );
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
