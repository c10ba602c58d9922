// The simulated API's admin reads that Caracal's diagnostics use (apps/api/src/routes/zones.ts, resources.ts,
// policy-sets.ts, zone-events.ts): keyset pages of {items, next_cursor}, 401 {"error":"invalid_admin_token"},
// 404 {"error":"zone_not_found"}, 500 while Postgres is down. The API's Redis-backed /v1 limiter runs before these
// (fake-caracal-routes.ts), so a Redis outage answers there.
// Zones default to those the state already knows (policy sets, JWKS); a test may list its own.
import type { IncomingMessage } from 'node:http';
import type { Answer } from './fake-caracal-readiness.ts';
import type { FakeCaracalState } from './fake-caracal-state.ts';

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
}

const admins = new WeakMap<FakeCaracalState, FakeAdmin>();

/** The admin data of one simulated deployment, created on first use. */
export function fakeAdmin(state: FakeCaracalState): FakeAdmin {
  let admin = admins.get(state);
  if (!admin) admins.set(state, (admin = { zones: undefined }));
  return admin;
}

const json = (status: number, body: unknown): Answer => ({ status, body });
const INTERNAL: Answer = json(500, {
  error: 'internal_error',
  error_description: 'The service failed to process the request',
  requestId: 'req-5c1d',
});
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
      return {
        id: key.slice(zone.id.length + 1),
        name: `policy set ${key.slice(zone.id.length + 1, zone.id.length + 9)}`,
        active_version_id: typeof active === 'string' ? active : null,
      };
    });
  return [...fromActivation, ...(zone.policySets ?? [])].map((ps) => ({
    ...ps,
    zone_id: zone.id,
    description: null,
    created_at: CREATED_AT,
  }));
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
  // Admin tokens are rows in Postgres, and every one of these reads queries it too.
  if (state.deployment.postgresDown) return INTERNAL;
  const known = [state.tokens.adminToken, state.tokens.apiReadToken].filter((t): t is string => t !== null);
  if (!known.some((t) => req.headers.authorization === `Bearer ${t}`)) return json(401, { error: 'invalid_admin_token' });
  const zones = zonesOf(state);
  if (!m)
    return page(
      zones.map((z) => ({
        id: z.id,
        name: z.name,
        slug: z.id.slice(0, 8),
        dcr_enabled: false,
        created_at: CREATED_AT,
        updated_at: CREATED_AT,
      })),
      url,
    );
  const zone = zones.find((z) => z.id === decodeURIComponent(m[1]));
  if (!zone) return json(404, { error: 'zone_not_found' });
  switch (m[2]) {
    case undefined:
      return json(200, {
        id: zone.id,
        name: zone.name,
        slug: zone.id.slice(0, 8),
        dcr_enabled: false,
        created_at: CREATED_AT,
        updated_at: CREATED_AT,
      });
    case 'resources':
      return page(
        Array.from({ length: zone.resources }, (_, i) => ({
          id: `${zone.id.slice(0, 8)}-res-${i}`,
          zone_id: zone.id,
          name: `resource ${i}`,
          identifier: `res-${i}`,
          created_at: CREATED_AT,
        })),
        url,
      );
    case 'policy-sets':
      return page(policySetsOf(state, zone), url);
    default:
      return page(
        [
          {
            id: `${zone.id.slice(0, 8)}-evt-1`,
            zone_id: zone.id,
            event_type: 'token.exchange',
            decision: 'allow',
            occurred_at: CREATED_AT,
            ingested_at: CREATED_AT,
          },
        ],
        url,
      );
  }
}
