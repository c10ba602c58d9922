// audit.chain through the real executor and the app's own Postgres target, with and without the HMAC key.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditChainDeep } from '../../src/audit/deep-check.ts';
import { NO_KEY_NOTE } from '../../src/audit/report.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { buildContext, runOne, type TestContext } from '../helpers/check-context.ts';
import { closedPort } from '../helpers/faults.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';
import { insertVectors, SCHEMA_NOW } from './vectors.ts';

describe('audit.chain', () => {
  let db: TempDatabase;
  const contexts: TestContext[] = [];
  const context = (env: Record<string, string>, url = db.url): TestContext => {
    const t = buildContext({ caracal: { postgres: { url } } }, env);
    contexts.push(t);
    return t;
  };
  const keyed = () => context({ CARACAL_AUDIT_HMAC_KEY: TEST_KEY_HEX }).ctx;
  const unkeyed = () => context({}).ctx;

  beforeAll(async () => {
    db = await createTempDatabase('auditc');
    await loadCaracalSchema(db, SCHEMA_NOW);
  });
  beforeEach(async () => {
    await db.exec('TRUNCATE public.audit_events');
    await insertVectors(db, TEST_KEY_HEX);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((t) => t.close()));
    await db.drop();
  });

  it('is registered for the safety gate under its id', () => {
    expect(auditChainDeep).toMatchObject({ id: 'audit.chain', title: 'Audit chain (deep verification)', gates: ['safety'] });
  });

  it('passes an intact chain, with rows checked and duration', async () => {
    const result = await runOne(auditChainDeep, keyed());
    expect(result.status).toBe('pass');
    expect(result.summary).toBe('All 36 audit rows in 3 zones verify (content hashes, links, chain_seq and chain_hmac).');
    expect(result.metrics).toMatchObject({ rowsChecked: 36, zones: 3, brokenZones: 0, brokenRows: 0, hmacChecked: true });
    expect(result.metrics.durationMs).toEqual(expect.any(Number));
    expect(result.evidence).toContain('zone zone-a: 12 rows from chain_seq 1, intact');
  });

  it('passes without the key but says plainly that chain_hmac was not checked', async () => {
    const result = await runOne(auditChainDeep, unkeyed());
    expect(result.status).toBe('pass');
    expect(result.summary).toBe(`All 36 audit rows in 3 zones verify (content hashes, links and chain_seq). ${NO_KEY_NOTE}`);
    expect(result.metrics.hmacChecked).toBe(false);
  });

  it('fails on a changed field, naming zone, row and kind', async () => {
    await db.exec(`UPDATE public.audit_events SET decision = 'allow' WHERE id = 'b-4'`);
    const result = await runOne(auditChainDeep, keyed());
    expect(result.status).toBe('fail');
    expect(result.summary).toBe(
      'Audit chain broken in 1 of 3 zones: zone zone-b, row id=b-4 (chain_seq 4), content_mismatch: a field was changed after insert.',
    );
    expect(result.evidence[1]).toBe('zone zone-b: 12 rows from chain_seq 1, 1 broken; first at id=b-4 chain_seq=4: content_mismatch');
    expect(result.matrix).toEqual(['audit']);
    expect(result.metrics).toMatchObject({ brokenZones: 1, brokenRows: 1 });
  });

  it('fails on a deleted row without the key too, and still says the HMAC was not checked', async () => {
    await db.exec(`DELETE FROM public.audit_events WHERE id = 'c-5'`);
    const result = await runOne(auditChainDeep, unkeyed());
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('zone zone-c, row id=c-6 (chain_seq 6), broken_link');
    expect(result.summary.endsWith(NO_KEY_NOTE)).toBe(true);
  });

  it('fails on a forged chain_hmac only when it has the key', async () => {
    await db.exec(`UPDATE public.audit_events SET chain_hmac = $1 WHERE id = 'a-11'`, ['0'.repeat(64)]);
    expect((await runOne(auditChainDeep, keyed())).summary).toContain('row id=a-11 (chain_seq 11), hmac_mismatch');
    expect((await runOne(auditChainDeep, unkeyed())).status).toBe('pass');
  });

  it('warns on an empty audit_events', async () => {
    await db.exec('TRUNCATE public.audit_events');
    const result = await runOne(auditChainDeep, keyed());
    expect(result.status).toBe('warn');
    expect(result.summary).toBe('audit_events has no rows, so there is no chain to verify.');
  });

  it('fails, without reading rows, on a key that is not hex', async () => {
    const result = await runOne(auditChainDeep, context({ CARACAL_AUDIT_HMAC_KEY: 'xyz-not-hex' }).ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/^CARACAL_AUDIT_HMAC_KEY is not valid hex/);
  });

  it('fails when audit_events does not exist, Postgres refuses, or it is not configured', async () => {
    const bare = await createTempDatabase('auditn');
    try {
      const result = await runOne(auditChainDeep, context({}, bare.url).ctx);
      expect(result.status).toBe('fail');
      expect(result.summary).toBe('public.audit_events does not exist, so the audit chain cannot be checked.');
    } finally {
      await Promise.all(contexts.splice(-1).map((t) => t.close()));
      await bare.drop();
    }
    const refused = context({}, `postgres://postgres@127.0.0.1:${await closedPort()}/caracal`);
    expect(await runOne(auditChainDeep, refused.ctx)).toMatchObject({ status: 'fail', summary: 'Postgres: connection refused' });
    const none = buildContext({});
    contexts.push(none);
    expect((await runOne(auditChainDeep, none.ctx)).summary).toMatch(/not configured/);
  });
});
