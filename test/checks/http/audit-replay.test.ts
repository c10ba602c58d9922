import { afterEach, describe, expect, it } from 'vitest';
import { auditReplay } from '../../../src/checks/http/audit-replay.ts';
import { FAKE_METRICS_BEARER } from '../../../src/sandbox/fake-caracal.ts';
import { startHarness, TOKENS_ENV, type Harness, type HarnessOptions } from './harness.ts';

let h: Harness | undefined;
afterEach(() => h?.close());
const start = async (opts: HarnessOptions = {}) => (h = await startHarness({ pods: { gateway: 2 }, ...opts }));

describe('audit.replay', () => {
  it('passes with no replay files and nothing dropped, reading /metrics.json with the metrics bearer', async () => {
    const { fake, run } = await start();
    const r = await run(auditReplay);
    expect(r.status).toBe('pass');
    expect(r.evidence).toHaveLength(3);
    expect(r.metrics).toEqual({ 'replay.files': 0, 'replay.oldestSeconds': 0, 'audit.dropped': 0 });
    expect(fake.requests.map((q) => [q.service, q.path, q.authorization])).toEqual(
      expect.arrayContaining([
        ['sts', '/metrics.json', `Bearer ${FAKE_METRICS_BEARER}`],
        ['gateway', '/metrics.json', `Bearer ${FAKE_METRICS_BEARER}`],
      ]),
    );
  });

  it('fails on STS replay files (nested under `sts`), telling to restart that pod', async () => {
    const { fake, run } = await start();
    Object.assign(fake.state.sts[0], { replayFiles: 3, replayOldestSeconds: 1800 });
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`STS ${fake.urls.sts[0]}: 3 audit replay file(s), oldest 1800 s`);
    expect(r.remedy).toContain(
      `STS ${fake.urls.sts[0]}: once Redis and Audit are healthy, restart this pod: replay files drain only at process start`,
    );
    expect(r.remedy).toContain('volume keeps them');
    expect(r.metrics).toMatchObject({ 'replay.files': 3, 'replay.oldestSeconds': 1800 });
    expect(r.matrix).toEqual(['audit']);
  });

  it('fails on one Gateway pod with replay files (flat keys) and names only that pod', async () => {
    const { fake, run } = await start();
    Object.assign(fake.state.gateway[1], { replayFiles: 1, replayOldestSeconds: 42 });
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`Gateway ${fake.urls.gateway[1]}: 1 audit replay file(s), oldest 42 s`);
    expect(r.summary).not.toContain(fake.urls.gateway[0]);
  });

  it.each(['sts', 'gateway'] as const)('fails with the evidence-loss row when %s dropped audit events', async (service) => {
    const { fake, run } = await start();
    fake.state[service][0].auditDropped = 7;
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('7 audit event(s) dropped since the process started: evidence lost (latched)');
    expect(r.matrix).toEqual(['auditLoss']);
    expect(r.remedy).toContain('replace the pod');
    expect(r.metrics['audit.dropped']).toBe(7);
  });

  it("reads STS's dropped count at the top level, not only under `sts`", async () => {
    const { fake, run } = await start();
    fake.state.sts[0].transform = (_path, body) => ({ ...(body as object), audit_dropped: undefined });
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('cannot be verified: audit_dropped');
  });

  it('does not accept the Gateway flat shape from STS', async () => {
    const { fake, run } = await start();
    fake.state.sts[0].transform = () => ({ audit_replay_files: 0, audit_replay_oldest_age_seconds: 0, audit_dropped: 0 });
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('sts: Invalid input');
  });

  it.each([
    ['a string count', { audit_replay_files: '0' }],
    ['a negative count', { audit_replay_files: -1 }],
    ['a missing age', { audit_replay_oldest_age_seconds: undefined }],
  ])('fails closed on a Gateway body with %s', async (_name, patch) => {
    const { fake, run } = await start();
    fake.state.gateway[0].transform = (_path, body) => ({ ...(body as object), ...patch });
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('replay backlog unknown');
  });

  it('fails with the bearer hint when the metrics bearer is missing or wrong', async () => {
    const missing = await start({ env: { ...TOKENS_ENV, CARACAL_METRICS_BEARER: '' } });
    let r = await missing.run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('HTTP 401: metrics bearer missing or rejected: set CARACAL_METRICS_BEARER');
    await missing.close();
    const wrong = await start({ env: { ...TOKENS_ENV, CARACAL_METRICS_BEARER: 'not-the-bearer' } });
    r = await wrong.run(auditReplay);
    expect(r.summary).toContain('metrics bearer missing or rejected');
  });

  it('fails when the Gateway is not configured, and still reports STS', async () => {
    const { run } = await start({ caracal: { services: { gateway: [] } } });
    const r = await run(auditReplay);
    expect(r.status).toBe('fail');
    expect(r.evidence).toEqual([
      expect.stringMatching(/^STS .*: no replay files, nothing dropped$/),
      'Gateway: not configured: cannot be checked (caracal.services.gateway is empty)',
    ]);
  });
});
