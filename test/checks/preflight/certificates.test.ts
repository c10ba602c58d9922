// tls.certificates: the certificate each https service URL serves, through a simulated https ingress whose
// self-signed certificate is made at start with a chosen expiry.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:https';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { tlsCertificates } from '../../../src/checks/preflight/certificates.ts';
import { startFakeCaracal, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';
import { startFakeIngress, type FakeIngress } from '../../../src/sandbox/fake-ingress.ts';
import { buildContext, runOne } from '../../helpers/check-context.ts';

const DAY = 86_400_000;

describe('tls.certificates', () => {
  let fake: FakeCaracal;
  let dir: string;
  const ingresses: FakeIngress[] = [];
  beforeAll(async () => {
    fake = await startFakeCaracal();
    dir = await mkdtemp(join(tmpdir(), 'certs-'));
  });
  afterEach(async () => {
    await Promise.all(ingresses.splice(0).map((i) => i.close()));
  });
  afterAll(async () => {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function https(service: 'api' | 'gateway', days: number): Promise<FakeIngress> {
    const ingress = await startFakeIngress({
      target: fake.urls[service][0],
      tls: { notAfter: new Date(Date.now() + days * DAY), commonName: `${service}.caracal.test` },
    });
    ingresses.push(ingress);
    return ingress;
  }

  async function run(services: Record<string, string[]>, trust: FakeIngress[]) {
    const caFile = join(dir, 'ca.pem');
    await writeFile(caFile, trust.map((i) => i.certificate ?? '').join('\n'));
    const t = buildContext({ caracal: { services: { ...fake.urls, ...services }, preflight: { caFile } } });
    try {
      return await runOne(tlsCertificates, t.ctx);
    } finally {
      await t.close();
    }
  }

  it('passes a trusted certificate far from expiry, and the simulated service really answers over https', async () => {
    const api = await https('api', 90);
    const r = await run({ api: [api.url] }, [api]);
    expect(r.status, r.summary).toBe('pass');
    expect(r.evidence[0]).toMatch(/^API https:\/\/127\.0\.0\.1:\d+: CN=api\.caracal\.test: (89|90) day\(s\) left/);
    expect(api.seen).toBe(0); // a handshake, not an HTTP request
    const answer = await new Promise<{ status: number; date: string | undefined }>((resolve, reject) => {
      get(`${api.url}/health`, { ca: api.certificate }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, date: res.headers.date });
      }).on('error', reject);
    });
    expect(answer.status).toBe(200);
    expect(Number.isNaN(Date.parse(answer.date ?? ''))).toBe(false);
  });

  it('warns inside 14 days and fails an expired one, per URL', async () => {
    const api = await https('api', 5);
    const gateway = await https('gateway', -1);
    const r = await run({ api: [api.url], gateway: [gateway.url] }, [api, gateway]);
    expect(r.status).toBe('fail');
    expect(r.summary).toMatch(/API https:\S+: CN=api\.caracal\.test: expires in [45] day\(s\)/);
    expect(r.summary).toMatch(/Gateway https:\S+: CN=gateway\.caracal\.test: expired/);
    expect(r.remedy).toContain('Renew the certificate');
  });

  it('warns about a certificate the bot cannot verify', async () => {
    const api = await https('api', 90);
    const r = await run({ api: [api.url] }, []);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('not trusted by the bot');
  });

  it('with no https URL there is nothing to check', async () => {
    const r = await run({}, []);
    expect(r.status).toBe('pass');
    expect(r.metrics['urls.https']).toBe(0);
  });
});
