import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditDlqReplay } from '../../src/remediation/audit-dlq-replay.ts';
import { coordinatorRequeue } from '../../src/remediation/coordinator-requeue.ts';
import { gatewayReload } from '../../src/remediation/gateway-reload.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { blackHole } from '../helpers/faults.ts';
import { buildContext } from '../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';

const GW = ['http://gateway-0.caracal.test:8081', 'http://gateway-1.caracal.test:8081'];
const AUDIT = 'http://audit.caracal.test:9090';
const COORD = 'http://coordinator.caracal.test:4000';
const ENV = {
  CARACAL_ADMIN_TOKEN: 'admin-tok-1234',
  CARACAL_AUDIT_ADMIN_TOKEN: 'audit-tok-1234',
  CARACAL_COORDINATOR_TOKEN: 'coord-tok-1234',
};
const signal = () => new AbortController().signal;

describe('remediation actions against Caracal endpoints', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase('remedy');
    await loadCaracalSchema(db);
  });
  afterAll(async () => {
    await db.drop();
  });
  afterEach(() => nock.cleanAll());

  const ctxFor = (env: Record<string, string> = ENV, extra: Record<string, unknown> = {}) =>
    buildContext(
      { caracal: { postgres: { url: db.url }, services: { gateway: GW, audit: [AUDIT], coordinator: [COORD] } }, ...extra },
      env,
    );

  it('reloads every Gateway pod with the admin token and reports each answer', async () => {
    nock(GW[0])
      .post('/internal/revocations/reload')
      .matchHeader('authorization', 'Bearer admin-tok-1234')
      .reply(200, { ok: true, revocations: 7 });
    nock(GW[1]).post('/internal/revocations/reload').reply(503, { ok: false, reason: 'revocation_reload_failed' });
    const { ctx, close } = ctxFor();
    const out = await gatewayReload.run(ctx, signal());
    await close();
    expect(out.ok).toBe(false);
    expect(out.summary).toBe('Revocation snapshot reloaded on 1 of 2 Gateway pod(s).');
    expect(out.lines[0]).toContain('200');
    expect(out.lines[0]).toContain('"revocations":7');
    expect(out.lines[1]).toContain('503');
    expect(out.lines[1]).toContain('revocation_reload_failed');
    expect(out.lines.join()).not.toContain('admin-tok-1234');
  });

  // Audit's admin routes: a wrong token is 401, an unset AUDIT_ADMIN_TOKEN turns them off (404).
  it.each([
    [401, "CARACAL_AUDIT_ADMIN_TOKEN differs from Audit's AUDIT_ADMIN_TOKEN"],
    [404, 'AUDIT_ADMIN_TOKEN is unset on Audit'],
    [500, 'check Redis'],
  ])('reports a %i from the DLQ replay with what it means on Audit', async (status, hint) => {
    nock(AUDIT).post('/api/audit/dlq/replay').query({ limit: 1000 }).reply(status, 'unauthorized\n');
    const { ctx, close } = ctxFor();
    const out = await auditDlqReplay.run(ctx, signal());
    await close();
    expect(out.ok).toBe(false);
    expect(out.lines[0]).toContain(String(status));
    expect(out.lines[0]).toContain(hint);
    expect(out.summary).toContain('nothing was replayed');
  });

  it('replays the DLQ and reports scanned, replayed and skipped', async () => {
    nock(AUDIT)
      .post('/api/audit/dlq/replay')
      .query({ limit: 1000 })
      .matchHeader('authorization', 'Bearer audit-tok-1234')
      .reply(200, { scanned: 5, replayed: 3, skipped: 2 });
    const { ctx, close } = ctxFor();
    const out = await auditDlqReplay.run(ctx, signal());
    await close();
    expect(out).toMatchObject({ ok: true, summary: 'DLQ replay: 3 replayed, 2 skipped (not replayable) of 5 scanned.' });
  });

  it('requeues each dead Coordinator row with its zone, reporting partial failures', async () => {
    await db.exec(`INSERT INTO caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts)
      VALUES ('0190a000-0000-7000-8000-000000000001', 'coordinator', 'caracal.sessions.revoke', 'k1', '{"zone_id":"11111111-1111-4111-8111-111111111111"}', 'dead', 10),
             ('0190a000-0000-7000-8000-000000000002', 'coordinator', 'caracal.agents.lifecycle', 'k2', '{"zone_id":"11111111-1111-4111-8111-111111111111"}', 'dead', 10),
             ('0190a000-0000-7000-8000-000000000003', 'coordinator', 'caracal.agents.lifecycle', 'k3', '{}', 'dead', 10),
             ('0190a000-0000-7000-8000-000000000004', 'api', 'caracal.agents.lifecycle', 'k4', '{"zone_id":"z"}', 'dead', 10)`);
    nock(COORD)
      .post('/zones/11111111-1111-4111-8111-111111111111/outbox/0190a000-0000-7000-8000-000000000001/requeue')
      .matchHeader('authorization', 'Bearer coord-tok-1234')
      .reply(200, { id: '0190a000-0000-7000-8000-000000000001', status: 'pending' });
    nock(COORD)
      .post('/zones/11111111-1111-4111-8111-111111111111/outbox/0190a000-0000-7000-8000-000000000002/requeue')
      .reply(404, { error: 'dead_outbox_not_found' });
    const { ctx, close } = ctxFor();
    const out = await coordinatorRequeue.run(ctx, signal());
    await close();
    expect(out.summary).toBe('Requeued 1 of 3 dead Coordinator outbox row(s).');
    expect(out.lines).toHaveLength(3);
    // On the Coordinator a 404 means only that the row is no longer dead: it never blames the token.
    expect(out.lines[1]).toContain('dead_outbox_not_found: the row is no longer dead');
    expect(out.lines[1]).not.toMatch(/token/);
    expect(out.lines[2]).toContain('no payload zone_id');
    expect(nock.isDone()).toBe(true);
  });

  it.each([
    [401, { error: 'missing_token' }, 'no token sent'],
    [401, { error: 'invalid_token' }, "differs from the Coordinator's, or it is unset there"],
    [403, { error: 'coordinator_admin_required' }, 'not the operator token'],
    [500, { error: 'internal_error' }, 'restore Redis and Postgres first'],
  ])('explains a Coordinator %i %j as the Coordinator means it', async (status, body, hint) => {
    await db.exec(`DELETE FROM caracal_outbox; INSERT INTO caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts)
      VALUES ('0190a000-0000-7000-8000-000000000009', 'coordinator', 'caracal.sessions.revoke', 'k9', '{"zone_id":"11111111-1111-4111-8111-111111111111"}', 'dead', 10)`);
    nock(COORD).post('/zones/11111111-1111-4111-8111-111111111111/outbox/0190a000-0000-7000-8000-000000000009/requeue').reply(status, body);
    const { ctx, close } = ctxFor();
    const out = await coordinatorRequeue.run(ctx, signal());
    await close();
    await db.exec('DELETE FROM caracal_outbox');
    expect(out.lines[0]).toContain(`: ${status} (`);
    expect(out.lines[0]).toContain(hint);
  });

  it('explains a Gateway reload 404 as its admin token unset or different', async () => {
    nock(GW[0]).post('/internal/revocations/reload').reply(404, '404 page not found\n');
    nock(GW[1]).post('/internal/revocations/reload').reply(200, { ok: true, revocations: 1 });
    const { ctx, close } = ctxFor();
    const out = await gatewayReload.run(ctx, signal());
    await close();
    expect(out.lines[0]).toContain("404 (the Gateway's CARACAL_ADMIN_TOKEN is unset or differs");
  });

  it('does not call an endpoint without its token, and a silent target times out as a failure', async () => {
    const { ctx, close } = ctxFor({});
    const out = await gatewayReload.run(ctx, signal());
    await close();
    expect(out.lines.every((l) => l.includes('CARACAL_ADMIN_TOKEN is not set'))).toBe(true);
    const hole = await blackHole();
    const slow = buildContext({ caracal: { services: { gateway: [hole.url] } }, checks: { httpTimeoutMs: 200 } }, ENV);
    const timedOut = await gatewayReload.run(slow.ctx, signal());
    await slow.close();
    await hole.close();
    expect(timedOut.ok).toBe(false);
    expect(timedOut.lines[0]).toContain('no answer within 200 ms');
  });
});

describe('the "Verify audit chain" action', () => {
  it('walks the chains and reports a tampered row; approvers only, one at a time (it scans all of audit_events)', async () => {
    const { verifyChain } = await import('../../src/remediation/verify-chain.ts');
    const { insertVectors, SCHEMA_NOW } = await import('../audit/vectors.ts');
    const { TEST_KEY_HEX } = await import('../audit/caracal-writer.ts');
    const db = await createTempDatabase('chainact');
    await loadCaracalSchema(db, SCHEMA_NOW);
    await insertVectors(db, TEST_KEY_HEX);
    const { ctx, close } = buildContext({ caracal: { postgres: { url: db.url } } }, { CARACAL_AUDIT_HMAC_KEY: TEST_KEY_HEX });
    expect(verifyChain.readOnly).toBeFalsy();
    expect(verifyChain.exclusive).toBe(true);
    const clean = await verifyChain.run(ctx, signal());
    expect(clean.ok).toBe(true);
    await db.exec(`UPDATE audit_events SET decision = 'allow' || decision WHERE zone_id = 'zone-b' AND chain_seq = 5`);
    const broken = await verifyChain.run(ctx, signal());
    await close();
    await db.drop();
    expect(broken.ok).toBe(false);
    expect(broken.summary).toContain('zone-b');
    expect(broken.summary).toContain('content_mismatch');
  });
});
