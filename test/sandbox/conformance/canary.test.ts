// Conformance of the simulated routes the Resume canary (resume.canary) goes through: the Gateway's proxied paths
// and Audit's search. One test per fact the check relies on, each citing caracal-ops.md and the Caracal source it
// names; plain HTTP as an operator's curl would send it, no bot code in between.
//
// What the check also relies on but the fact sheet does not say, so nothing here asserts it (see the report of
// issue 12): that the Gateway takes the caller's X-Request-ID as the audited request_id; the decision words
// ("allow", "deny"); the statuses and bodies of the JTI and STS fail-closed answers; whether a denied request is
// audited by the Gateway or by STS; how often one mandate may be presented (§3.4 `seen:jti:<jti>` is a replay check,
// the canary sends one CARACAL_CANARY_BEARER twice per run); search's since/until window and cursor paging; how long
// the Gateway's 50 ms flush and Audit's read take (the simulator inserts at once when it can).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_AUDIT_ADMIN_TOKEN, startFakeCaracal, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';
import { call, keys } from './helpers.ts';

const MANDATE = 'canary-mandate-conformance';
const ZONE = 'zone-1';
const ALLOWED = 'canary-allowed';
const DENIED = 'canary-denied';

let fake: FakeCaracal;
beforeEach(async () => {
  fake = await startFakeCaracal({ pods: { gateway: 2 }, tokens: { canaryMandate: MANDATE } });
  fake.state.gatewayPolicy = { zoneId: ZONE, allowedResources: [ALLOWED] };
});
afterEach(() => fake.close());

let seq = 0;
/** One request through a Gateway pod's proxied path, as the canary sends it. */
async function through(
  pod: number,
  resource: string,
  opts: { mandate?: string | null; path?: string } = {},
): Promise<{ status: number; text: string; requestId: string }> {
  const requestId = `conformance-${++seq}`;
  const headers: Record<string, string> = { 'x-caracal-resource': resource, 'x-request-id': requestId };
  const mandate = opts.mandate === undefined ? MANDATE : opts.mandate;
  if (mandate !== null) headers.authorization = `Bearer ${mandate}`;
  const res = await fetch(`${fake.urls.gateway[pod]}${opts.path ?? '/orders'}`, { headers });
  return { status: res.status, text: await res.text(), requestId };
}

const search = (query: string, token: string | undefined = FAKE_AUDIT_ADMIN_TOKEN) =>
  call(`${fake.urls.audit[0]}/api/audit/search?${query}`, token === undefined ? {} : { token });
interface Row {
  Event: Record<string, unknown>;
}
const events = async (query: string): Promise<Row[]> => ((await search(query)).body as { events: Row[] }).events;
const audited = () => fake.state.auditEvents.map((e) => [e.request_id, e.decision]);

describe('the Gateway proxies every path but its own (§1.3, services/gateway/internal/server.go)', () => {
  it('with the mandate, a resource the zone policy allows reaches the upstream (2xx), on any path', async () => {
    for (const path of ['/orders', '/v1/anything/deeper']) expect((await through(0, ALLOWED, { path })).status).toBe(200);
  });

  it('its own routes are not proxied: /health and /ready answer without a mandate or X-Caracal-Resource', async () => {
    expect(await call(`${fake.urls.gateway[0]}/health`)).toMatchObject({ status: 200, body: '' });
    expect(await call(`${fake.urls.gateway[0]}/ready`)).toMatchObject({ status: 200, body: { ok: true, ready: true } });
    expect(audited()).toEqual([]);
  });
});

describe('allow and deny answers (§10 troubleshooting.mdx: readiness, client config, 401, STS 403, Gateway 403, audit lookup)', () => {
  it('no mandate, or a wrong one: 401, and nothing reaches the policy decision', async () => {
    expect((await through(0, ALLOWED, { mandate: null })).status).toBe(401);
    expect((await through(0, ALLOWED, { mandate: 'not-the-mandate' })).status).toBe(401);
    expect(audited()).toEqual([]);
  });

  it('a resource the zone policy does not allow: 403', async () => {
    expect((await through(0, DENIED)).status).toBe(403);
  });
});

describe('the Gateway fails closed (the canary must not pass through a broken Gateway)', () => {
  it('§6 (services/gateway/internal/revocations.go, proxy.go): a stale snapshot makes every proxied request 503 "revocation state unavailable", on that pod only', async () => {
    fake.state.gateway[1].snapshotAgeSeconds = 71; // fresh means at most 70 s (§6)
    const stale = await through(1, ALLOWED);
    expect([stale.status, stale.text]).toEqual([503, 'revocation state unavailable\n']);
    expect((await through(0, ALLOWED)).status).toBe(200);
    expect(audited().map(([, d]) => d)).toEqual(['allow']);
  });

  it('§3.4 (`seen:jti:<jti>`, services/gateway/internal/jti.go): the mandate replay check needs Redis and fails closed without it', async () => {
    fake.state.deployment.redisDown = true;
    const r = await through(0, ALLOWED);
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(audited()).toEqual([]);
  });

  it('§10.1 drill 3, §7.3 (services/gateway/internal/proxy.go): with STS unreachable, traffic is rejected before dispatch', async () => {
    for (const sts of fake.state.sts) sts.fault = 'hang';
    const r = await through(0, ALLOWED);
    expect(r.status).toBeGreaterThanOrEqual(500);
    expect(audited()).toEqual([]);
  });
});

describe('how the decision shows up in Audit (§12 "Resume traffic", §1.4, §5.1, §5.3)', () => {
  it('§12: an allowed and a denied request are both found by zone and request ID, with different decisions', async () => {
    const allow = await through(0, ALLOWED);
    const deny = await through(1, DENIED);
    const a = await events(`zone_id=${ZONE}&request_id=${allow.requestId}`);
    const d = await events(`zone_id=${ZONE}&request_id=${deny.requestId}`);
    expect([a.length, d.length]).toEqual([1, 1]);
    expect(a[0].Event.request_id).toBe(allow.requestId);
    expect(d[0].Event.request_id).toBe(deny.requestId);
    expect(a[0].Event.decision).not.toBe(d[0].Event.decision);
  });

  it('§1.4 (services/audit/internal/server.go): GET /api/audit/search answers {events, next_cursor}; zone_id is required; another zone finds nothing', async () => {
    const allow = await through(0, ALLOWED);
    const found = await search(`zone_id=${ZONE}&request_id=${allow.requestId}`);
    expect([found.status, keys(found.body)]).toEqual([200, ['events', 'next_cursor']]);
    expect((await search(`request_id=${allow.requestId}`)).status).toBe(400);
    expect(await events(`zone_id=another-zone&request_id=${allow.requestId}`)).toEqual([]);
  });

  it('§1.4: the decision filter and a limit (default 100, at most 1000) narrow the search', async () => {
    const allow = await through(0, ALLOWED);
    const deny = await through(0, DENIED);
    const decision = String((await events(`zone_id=${ZONE}&request_id=${allow.requestId}`))[0].Event.decision);
    expect((await events(`zone_id=${ZONE}&decision=${decision}`)).map((r) => r.Event.request_id)).toEqual([allow.requestId]);
    expect((await events(`zone_id=${ZONE}&limit=1`)).length).toBe(1);
    for (let i = 0; i < 120; i++) await through(0, DENIED);
    expect((await events(`zone_id=${ZONE}`)).length).toBe(100);
    expect((await events(`zone_id=${ZONE}&limit=5000`)).length).toBe(122);
    expect(deny.status).toBe(403);
  });

  it('§5.3 (services/audit/internal/pg.go): rows carry Go field names, the Event snake_case keys with every key a producer always sends (§5.1, packages/core/go/audit/client.go)', async () => {
    const allow = await through(0, ALLOWED);
    const [row] = await events(`zone_id=${ZONE}&request_id=${allow.requestId}`);
    expect(keys(row)).toEqual(['ChainHMAC', 'ChainSeq', 'ContentSHA256', 'Event', 'IngestedAt', 'PrevContentSHA256']);
    const always = [
      'id',
      'zone_id',
      'event_type',
      'request_id',
      'decision',
      'evaluation_status',
      'determining_policies_json',
      'diagnostics_json',
      'occurred_at',
    ];
    expect(keys(row.Event)).toEqual(expect.arrayContaining(always) as unknown);
    expect(row.Event.zone_id).toBe(ZONE);
    expect(new Date(String(row.Event.occurred_at)).toISOString()).toBe(row.Event.occurred_at); // RFC3339
  });

  it('§5.2, §10.1 drill 8 (services/audit/internal/consumer.go): with the consumer paused the decision is not found yet; nothing is lost once it reads', async () => {
    fake.state.auditConsumerPaused = true;
    const allow = await through(0, ALLOWED);
    expect(allow.status).toBe(200); // the Gateway still serves: only ingestion is delayed
    expect(await events(`zone_id=${ZONE}&request_id=${allow.requestId}`)).toEqual([]);
    fake.state.auditConsumerPaused = false;
    expect((await events(`zone_id=${ZONE}&request_id=${allow.requestId}`)).length).toBe(1);
  });

  it('§5.2: Audit inserts into Postgres: while Postgres is down (the snapshot still fresh) the decision waits in the stream', async () => {
    fake.state.deployment.postgresDown = true;
    const allow = await through(0, ALLOWED);
    expect(allow.status).toBe(200);
    expect(await events(`zone_id=${ZONE}&request_id=${allow.requestId}`)).toEqual([]);
    fake.state.deployment.postgresDown = false;
    expect((await events(`zone_id=${ZONE}&request_id=${allow.requestId}`)).length).toBe(1);
  });

  it('§1.4: search is an operator route: 404 while AUDIT_ADMIN_TOKEN is unset on Audit', async () => {
    fake.state.tokens.auditAdminToken = null;
    expect((await search(`zone_id=${ZONE}`)).status).toBe(404);
  });
});
