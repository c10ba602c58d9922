// The simulated API's admin reads that Caracal's diagnostics use (apps/api/src/routes/zones.ts, resources.ts,
// policy-sets.ts, zone-events.ts), and the Coordinator's /stats (§1.6, §15.1.4): keyset pages of
// {items, next_cursor}, 401 {"error":"invalid_admin_token"}, 404 {"error":"zone_not_found"}, and the 500
// internal_error every /v1 route answers while Redis is down (the /v1 rate-limit hook runs first, §14.4).
// Zones default to those the state already knows (policy sets, JWKS); a test may list its own.
import type { IncomingMessage } from 'node:http';
import type { Answer, FakeCaracalState } from './fake-caracal-state.ts';

export interface FakeZone {
  id: string;
  name: string;
  resources: number;
  /** Policy sets beyond those in state.policySets (which are listed with their active version). */
  policySets?: { id: string; name: string; active_version_id: string | null }[];
}

export interface FakeAdmin {
  /** undefined: every zone named in state.policySets or an STS pod's JWKS. */
  zones: FakeZone[] | undefined;
  /** The Coordinator operator token (/stats); null: unset on the Coordinator, every token is invalid. */
  coordinatorToken: string | null;
  outbox: { pending: number; published: number; dead: number };
}

export const FAKE_COORDINATOR_TOKEN = 'fake-coordinator-token-51aa';

const admins = new WeakMap<FakeCaracalState, FakeAdmin>();

/** The admin data of one simulated deployment, created on first use. */
export function fakeAdmin(state: FakeCaracalState): FakeAdmin {
  let admin = admins.get(state);
  if (!admin) admins.set(state, (admin = { zones: undefined, coordinatorToken: FAKE_COORDINATOR_TOKEN, outbox: { pending: 0, published: 1200, dead: 0 } }));
  return admin;
}

const json = (status: number, body: unknown): Answer => ({ status, body });
const INTERNAL: Answer = json(500, { error: 'internal_error', error_description: 'The service failed to process the request', requestId: 'req-5c1d' });
const CREATED_AT = '2026-10-01T09:00:00.000Z';

function zonesOf(state: FakeCaracalState): FakeZone[] {
  const explicit = fakeAdmin(state).zones;
  if (explicit) return explicit;
  const ids = new Set<string>();
  for (const key of Object.keys(state.policySets)) ids.add(key.split('/')[0]);
  for (const sts of state.sts) for (const zone of Object.keys(sts.jwks)) ids.add(zone);
  return [...ids].map((id) => ({ id, name: `zone ${id.slice(0, 8)}`, resources: 2 }));
}

function policySetsOf(state: FakeCaracalState, zone: FakeZone) {
  const fromActivation = Object.entries(state.policySets)
    .filter(([key]) => key.startsWith(`${zone.id}/`))
    .map(([key, body]) => {
      const active = body.active_version_id;
      return { id: key.slice(zone.id.length + 1), name: `policy set ${key.slice(zone.id.length + 1, zone.id.length + 9)}`, active_version_id: typeof active === 'string' ? active : null };
    });
  return [...fromActivation, ...(zone.policySets ?? [])].map((ps) => ({ ...ps, zone_id: zone.id, description: null, created_at: CREATED_AT }));
}

/** One keyset page; the cursor is opaque to clients (here: the next offset, base64url). */
function page(items: unknown[], url: URL): Answer {
  const limit = Number(url.searchParams.get('limit') ?? 200);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) return json(400, { error: 'invalid_query' });
  const cursor = url.searchParams.get('cursor');
  const start = cursor ? Number(Buffer.from(cursor, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) return json(400, { error: 'invalid_cursor' });
  const slice = items.slice(start, start + limit);
  const next = start + limit < items.length ? Buffer.from(String(start + limit)).toString('base64url') : null;
  return json(200, { items: slice, next_cursor: next });
}

const ZONE = /^\/v1\/zones\/([^/]+)(?:\/(resources|policy-sets|audit))?$/;

/** API routes under /v1 that the diagnostics read; undefined for any other path. */
export function adminApiRoute(state: FakeCaracalState, req: IncomingMessage, url: URL): Answer | undefined {
  const list = url.pathname === '/v1/zones';
  const m = ZONE.exec(url.pathname);
  if ((!list && !m) || req.method !== 'GET') return undefined;
  if (state.deployment.redisDown) return INTERNAL;
  if (state.tokens.adminToken === null || req.headers.authorization !== `Bearer ${state.tokens.adminToken}`) return json(401, { error: 'invalid_admin_token' });
  // Every one of these reads queries Postgres (zones, resources, policy_sets, audit_events).
  if (state.deployment.postgresDown) return INTERNAL;
  const zones = zonesOf(state);
  if (!m) return page(zones.map((z) => ({ id: z.id, name: z.name, slug: z.id.slice(0, 8), dcr_enabled: false, created_at: CREATED_AT, updated_at: CREATED_AT })), url);
  const zone = zones.find((z) => z.id === decodeURIComponent(m[1]));
  if (!zone) return json(404, { error: 'zone_not_found' });
  switch (m[2]) {
    case undefined:
      return json(200, { id: zone.id, name: zone.name, slug: zone.id.slice(0, 8), dcr_enabled: false, created_at: CREATED_AT, updated_at: CREATED_AT });
    case 'resources':
      return page(Array.from({ length: zone.resources }, (_, i) => ({ id: `${zone.id.slice(0, 8)}-res-${i}`, zone_id: zone.id, name: `resource ${i}`, identifier: `res-${i}`, created_at: CREATED_AT })), url);
    case 'policy-sets':
      return page(policySetsOf(state, zone), url);
    default:
      return page([{ id: `${zone.id.slice(0, 8)}-evt-1`, zone_id: zone.id, event_type: 'token.exchange', decision: 'allow', occurred_at: CREATED_AT, ingested_at: CREATED_AT }], url);
  }
}

/** The Coordinator's GET /stats: operator token first (auth runs before routing), then the Redis-backed limit hook. */
export function coordinatorStatsRoute(state: FakeCaracalState, req: IncomingMessage, url: URL): Answer | undefined {
  if (url.pathname !== '/stats') return undefined;
  const admin = fakeAdmin(state);
  const auth = req.headers.authorization;
  if (!auth) return json(401, { error: 'missing_token' });
  if (admin.coordinatorToken === null || auth !== `Bearer ${admin.coordinatorToken}`) return json(401, { error: 'invalid_token' });
  if (state.deployment.redisDown) return INTERNAL;
  return json(200, {
    invocations: { running: 0, completed: 42 },
    outbox: { ...admin.outbox },
    idempotency: { rows: 12, oldestSeconds: 3600, outcomes: {} },
    ttl_sweeper: { runs: 30 },
    service_lease_sweeper: { runs: 30 },
    retention_cleaner: { runs: 2 },
  });
}
