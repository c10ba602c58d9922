// What every simulated service's routes are made of: the route and service shapes, the pod's environment, and
// the answers and hooks several services share (Go's and Fastify's 404, metrics bearer, Redis-backed limits).
import type { IncomingMessage } from 'node:http';
import type { Answer } from './fake-caracal-readiness.ts';
import type { FakeBackend, FakeCaracalState } from './fake-caracal-state.ts';

export type Reply = Answer | Promise<Answer>;
export interface RouteContext {
  req: IncomingMessage;
  url: URL;
  params: string[];
  /** The request body as text ('' when none was sent). */
  body: string;
}
export interface RouteDef {
  method: 'GET' | 'POST' | 'ANY';
  path: string | RegExp;
  handle: (c: RouteContext) => Reply;
}
export interface ServiceDef {
  /** Runs before routing, on every request; an answer ends the request there. */
  before?: (c: RouteContext) => Reply | undefined;
  routes: RouteDef[];
  /** What an unknown route answers: Go's plain text, or Fastify's JSON. */
  notFound: (c: RouteContext) => Answer;
}

export interface PodEnv {
  state: FakeCaracalState;
  backend: FakeBackend;
  now: () => number;
}

export const json = (status: number, body: unknown): Answer => ({ status, body });
export const GO_404 = json(404, '404 page not found\n');
export const fastify404 = (c: RouteContext): Answer =>
  json(404, { message: `Route ${c.req.method ?? 'GET'}:${c.url.pathname} not found`, error: 'Not Found', statusCode: 404 });
export const INTERNAL_ERROR = (requestId = 'req-7f3a'): Answer =>
  json(500, { error: 'internal_error', error_description: 'The service failed to process the request', requestId });
export const bearerOf = (req: IncomingMessage) => {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7) : undefined;
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function metricsGate(state: FakeCaracalState, req: IncomingMessage): Answer | undefined {
  const bearer = state.tokens.metricsBearer;
  // With METRICS_BEARER unset the metrics are open (dev mode); set, it must match exactly (§1.1).
  return bearer === null || req.headers.authorization === `Bearer ${bearer}` ? undefined : json(401, 'unauthorized\n');
}

/** A Redis counter per client and minute (§1.5, §1.6). Redis down: ioredis retries, then the hook throws (§15.1.1). */
export function redisLimiter(env: PodEnv, service: 'api' | 'coordinator') {
  const counts = new Map<string, number>();
  return (bucket: string, limit: number): Reply | undefined => {
    if (env.state.deployment.redisDown) return sleep(env.state.redisErrorDelayMs[service]).then(() => INTERNAL_ERROR());
    if (limit <= 0) return undefined;
    const key = `${bucket}:${Math.floor(env.now() / 60_000)}`;
    const n = (counts.get(key) ?? 0) + 1;
    counts.set(key, n);
    if (counts.size > 16) counts.delete(counts.keys().next().value as string);
    return n > limit ? json(429, { error: 'rate_limited' }) : undefined;
  };
}
