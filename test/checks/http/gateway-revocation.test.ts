import { afterEach, describe, expect, it } from 'vitest';
import { gatewayRevocation } from '../../../src/checks/http/gateway-revocation.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';

let h: Harness | undefined;
afterEach(() => h?.close());
const start = async (opts: HarnessOptions = {}) => (h = await startHarness({ pods: { gateway: 3 }, ...opts }));

describe('gateway.revocation', () => {
  it('passes when every Gateway pod holds a fresh snapshot', async () => {
    const { run } = await start();
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe('All 3 Gateway pods hold a fresh revocation snapshot, and every running Gateway was checked.');
    expect(r.evidence[0]).toMatch(/fresh=1, age 12 s \(limit 70 s\), reload errors 0, reloads 120$/);
  });

  it('fails naming the one stale pod of three, with the per-pod reload remedy', async () => {
    const { fake, run } = await start();
    fake.state.gateway[1].snapshotAgeSeconds = 95;
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`Gateway ${fake.urls.gateway[1]}: revocation snapshot stale (fresh=0, age 95 s`);
    expect(r.summary).toContain('every proxied request fails closed with 503');
    expect(r.summary).not.toContain(fake.urls.gateway[0]);
    expect(r.summary).not.toContain(fake.urls.gateway[2]);
    expect(r.remedy).toContain('Stale snapshots come from Postgres trouble');
    expect(r.remedy).toContain('POST /internal/revocations/reload');
    expect(r.remedy).toContain('reloads only the pod that receives it');
    expect(r.matrix).toEqual(['gateway', 'postgres']);
  });

  it('fails a snapshot that was never loaded (fresh 0, age 0)', async () => {
    const { fake, run } = await start();
    fake.state.gateway[0].snapshotAgeSeconds = null;
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('fresh=0, age 0 s');
  });

  it('fails on age over the configured threshold even when the pod calls itself fresh', async () => {
    const { fake, run } = await start({ thresholds: { revocationSnapshotMaxAgeSeconds: 30 } });
    fake.state.gateway[2].snapshotAgeSeconds = 45;
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('fresh=1, age 45 s (limit 30 s)');
  });

  it('warns once when reload errors rise, remembering the value per pod; a restart resets quietly', async () => {
    const { fake, run } = await start();
    fake.state.gateway[0].reloadErrors = 2;
    expect((await run(gatewayRevocation)).status).toBe('pass');
    fake.state.gateway[0].reloadErrors = 5;
    const rising = await run(gatewayRevocation);
    expect(rising.status).toBe('warn');
    expect(rising.summary).toContain(`Gateway ${fake.urls.gateway[0]}: revocation reload errors rose from 2 to 5`);
    expect(rising.matrix).toEqual(['gateway', 'postgres']);
    expect((await run(gatewayRevocation)).status).toBe('pass');
    fake.state.gateway[0].reloadErrors = 0;
    expect((await run(gatewayRevocation)).status).toBe('pass');
    fake.state.gateway[0].reloadErrors = 1;
    expect((await run(gatewayRevocation)).status).toBe('warn');
  });

  it('fails, not warns, when a pod is stale and its reload errors rise', async () => {
    const { fake, run } = await start();
    await run(gatewayRevocation);
    Object.assign(fake.state.gateway[0], { snapshotAgeSeconds: 200, reloadErrors: 4 });
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.evidence.filter((l) => l.startsWith(`Gateway ${fake.urls.gateway[0]}`))).toHaveLength(2);
  });

  it.each([
    ['fresh missing', { revocation_snapshot_fresh: undefined }],
    ['fresh as a string', { revocation_snapshot_fresh: '1' }],
    ['fresh as true', { revocation_snapshot_fresh: true }],
    ['age missing', { revocation_snapshot_age_seconds: undefined }],
    ['reload errors as null', { revocation_reload_errors: null }],
  ])('fails closed when the body has %s', async (_name, patch) => {
    const { fake, run } = await start();
    fake.state.gateway[0].transform = (_path, body) => ({ ...(body as object), ...patch });
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('snapshot freshness unknown');
  });

  it('fails the one pod that answers 500 while reporting the others', async () => {
    const { fake, run } = await start();
    fake.state.gateway[2].fault = 'http500';
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.evidence.filter((l) => l.includes('fresh=1'))).toHaveLength(2);
    expect(r.summary).toContain('answered HTTP 500');
  });

  it('fails when no Gateway is configured', async () => {
    const { run } = await start({ caracal: { services: { gateway: [] } } });
    const r = await run(gatewayRevocation);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('caracal.services.gateway is empty');
  });
});
