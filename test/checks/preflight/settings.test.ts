// deployment.settings: CARACAL_MODE, key lengths and TLS files from an env file, a mounted Secret directory or
// Helm values, as Caracal's preflight judges them; values are never shown.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generate } from 'selfsigned';
import { deploymentSettings } from '../../../src/checks/preflight/settings.ts';
import { buildContext, runOne } from '../../helpers/check-context.ts';

const hex = (bytes: number, fill = 'ab') => fill.repeat(bytes);
const GOOD = {
  CARACAL_MODE: 'stable',
  SECRET_STORE_KEK: hex(32),
  AUDIT_HMAC_KEY: hex(32, 'cd'),
  STREAMS_HMAC_KEY: hex(48, 'ef'),
  GATEWAY_STS_HMAC_KEY: Buffer.alloc(32, 7).toString('base64'),
};
const envText = (vars: Record<string, string>) =>
  Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n') + '\n';

async function run(preflight: Record<string, string>, now?: Date) {
  const t = buildContext({ caracal: { preflight } }, {}, now ? { now: () => now } : {});
  try {
    return await runOne(deploymentSettings, t.ctx);
  } finally {
    await t.close();
  }
}

describe('deployment.settings', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'preflight-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('with nothing visible, says so and passes: there is nothing to judge', async () => {
    const r = await run({});
    expect(r.status).toBe('pass');
    expect(r.summary).toContain('Nothing to check');
  });

  it('passes a right env file and shows lengths, never values', async () => {
    await writeFile(join(dir, 'caracal.env'), envText(GOOD));
    const r = await run({ envFile: join(dir, 'caracal.env') });
    expect(r.status, r.summary).toBe('pass');
    expect(r.evidence).toContain(`CARACAL_MODE=stable (${join(dir, 'caracal.env')})`);
    expect(r.evidence.find((l) => l.startsWith('STREAMS_HMAC_KEY'))).toMatch(/^STREAMS_HMAC_KEY: 48 bytes/);
    expect(r.evidence.find((l) => l.startsWith('GATEWAY_STS_HMAC_KEY'))).toMatch(/32 bytes/);
    const text = [r.summary, ...r.evidence, r.remedy ?? ''].join('\n');
    for (const v of Object.values(GOOD).slice(1)) expect(text).not.toContain(v);
  });

  it('fails a SECRET_STORE_KEK that is not exactly 32 bytes and an HMAC key under 32, and an unknown mode', async () => {
    await writeFile(
      join(dir, 'caracal.env'),
      envText({ ...GOOD, CARACAL_MODE: 'production', SECRET_STORE_KEK: hex(33), AUDIT_HMAC_KEY: hex(16) }),
    );
    const r = await run({ envFile: join(dir, 'caracal.env') });
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('SECRET_STORE_KEK: 33 bytes, must be exactly 32');
    expect(r.summary).toContain('AUDIT_HMAC_KEY: 16 bytes, must be at least 32');
    expect(r.summary).toContain('CARACAL_MODE="production"');
    expect(r.remedy).toContain('Never generate a new KEK');
  });

  it('reads a mounted Secret directory with the chart key names, following NAME_FILE from the env file', async () => {
    const secrets = join(dir, 'secrets');
    await mkdir(secrets);
    await writeFile(join(secrets, 'secretStoreKek'), `${hex(31)}\n`);
    await writeFile(
      join(dir, 'caracal.env'),
      envText({ CARACAL_MODE: 'rc', AUDIT_HMAC_KEY_FILE: join(secrets, 'audit'), STREAMS_HMAC_KEY_FILE: '/run/secrets/not-mounted-here' }),
    );
    await writeFile(join(secrets, 'audit'), hex(32));
    await writeFile(join(secrets, 'gatewayStsHmacKey'), hex(32));
    const r = await run({ envFile: join(dir, 'caracal.env'), secretDir: secrets });
    expect(r.status).toBe('fail');
    expect(r.summary).toContain(`SECRET_STORE_KEK: 31 bytes, must be exactly 32 (${join(secrets, 'secretStoreKek')})`);
    expect(r.evidence.find((l) => l.startsWith('AUDIT_HMAC_KEY'))).toContain(`→ ${join(secrets, 'audit')}`);
    expect(r.evidence.find((l) => l.startsWith('STREAMS_HMAC_KEY'))).toContain(
      'STREAMS_HMAC_KEY_FILE=/run/secrets/not-mounted-here (ENOENT from the bot)',
    );
    expect(r.metrics).toMatchObject({ sources: 2, 'keys.checked': 3 });
  });

  it('reads Helm values: global.mode and secrets.plaintext; a missing required key in rc warns', async () => {
    await writeFile(
      join(dir, 'values.yaml'),
      `global:\n  mode: rc\nsecrets:\n  create: true\n  plaintext:\n    secretStoreKek: '${hex(32)}'\n    auditHmacKey: '${hex(32)}'\n    streamsHmacKey: '${hex(32)}'\n`,
    );
    const r = await run({ helmValues: join(dir, 'values.yaml') });
    expect(r.status).toBe('warn');
    expect(r.evidence).toContain(`CARACAL_MODE=rc (${join(dir, 'values.yaml')} global.mode)`);
    expect(r.summary).toContain('GATEWAY_STS_HMAC_KEY: not found in the settings the bot can see');
  });

  it('judges TLS_CERT_FILE expiry: warns inside 14 days, fails once expired', async () => {
    const now = new Date();
    const make = async (days: number) => {
      const pems = await generate([{ name: 'commonName', value: 'caracal-api' }], {
        keyType: 'ec',
        curve: 'P-256',
        notBeforeDate: new Date(now.getTime() - 30 * 86_400_000),
        notAfterDate: new Date(now.getTime() + days * 86_400_000),
      });
      await writeFile(join(dir, 'tls.crt'), pems.cert);
      await writeFile(join(dir, 'tls.key'), pems.private);
    };
    await writeFile(
      join(dir, 'caracal.env'),
      envText({ ...GOOD, TLS_CERT_FILE: join(dir, 'tls.crt'), TLS_KEY_FILE: join(dir, 'tls.key') }),
    );
    await make(10);
    const soon = await run({ envFile: join(dir, 'caracal.env') }, now);
    expect(soon.status).toBe('warn');
    expect(soon.summary).toMatch(/CN=caracal-api: expires in (9|10) day\(s\)/);
    await make(-2);
    const expired = await run({ envFile: join(dir, 'caracal.env') }, now);
    expect(expired.status, expired.summary).toBe('fail');
    expect(expired.summary).toMatch(/expired (1|2) day\(s\) ago/);
    await make(90);
    expect((await run({ envFile: join(dir, 'caracal.env') }, now)).status).toBe('pass');
  });

  it('a configured source that cannot be read fails', async () => {
    const r = await run({ envFile: join(dir, 'missing.env') });
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('cannot be read (ENOENT)');
  });
});
