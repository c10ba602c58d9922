// Retention drops whole months of audit_events while each zone's chain follows ingestion order: rows ingested late
// into an older month leave the first rows of the oldest retained month linking to dropped rows. Those breaks are
// the retention boundary, reported as such; a content change, or a break elsewhere, is still tampering.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { auditChainDeep } from '../../src/audit/deep-check.ts';
import { createAuditPartition, loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { buildContext, runOne, type TestContext } from '../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';
import { insertEvent, TEST_KEY_HEX } from './caracal-writer.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const Z = 'zone-retention';
const PREV_MONTH = '2026-05-20T10:00:00Z';
const THIS_MONTH = '2026-06-02T10:00:00Z';

describe('audit.chain at the retention boundary', () => {
  let db: TempDatabase | undefined;
  const contexts: TestContext[] = [];
  const run = async () => {
    const t = buildContext({ caracal: { postgres: { url: db?.url ?? '' } } }, { CARACAL_AUDIT_HMAC_KEY: TEST_KEY_HEX });
    contexts.push(t);
    return runOne(auditChainDeep, t.ctx, 20_000);
  };

  /** a(May) b(May) c(June) d(May, ingested late) e(June) f(June), then May's partition is dropped. */
  beforeEach(async () => {
    await db?.drop();
    db = await createTempDatabase('retent');
    await loadCaracalSchema(db, NOW);
    const may = await createAuditPartition(db, NOW, -1);
    const at = [PREV_MONTH, PREV_MONTH, THIS_MONTH, PREV_MONTH, THIS_MONTH, THIS_MONTH];
    for (const [i, occurred] of at.entries()) {
      await insertEvent(
        db,
        { id: `ev-${i}`, zone_id: Z, decision: 'deny', occurred_at: occurred.replace('10:00', `10:0${i}`) },
        TEST_KEY_HEX,
      );
    }
    await db.exec(`DROP TABLE public.${may}`);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((t) => t.close()));
    await db?.drop();
  });

  it('reports link breaks in the first rows of the oldest retained month as the retention boundary, not tampering', async () => {
    const r = await run();
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('Audit chain breaks only at the retention boundary');
    expect(r.summary).toContain('(2026-06)');
    expect(r.summary).toContain('this is not tampering');
    expect(r.evidence.join('\n')).toContain(`zone ${Z}: 1 link break(s) at the retention boundary`);
  });

  it('still fails when a row of that month was also edited', async () => {
    await db?.exec(`UPDATE public.audit_events SET decision = 'allow' WHERE id = 'ev-5'`);
    const r = await run();
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('Audit chain broken');
  });

  it('still fails on a break after the oldest retained month', async () => {
    await insertEvent(db as TempDatabase, { id: 'ev-july-1', zone_id: Z, occurred_at: '2026-07-02T10:00:00Z' }, TEST_KEY_HEX);
    await insertEvent(db as TempDatabase, { id: 'ev-july-2', zone_id: Z, occurred_at: '2026-07-03T10:00:00Z' }, TEST_KEY_HEX);
    await insertEvent(db as TempDatabase, { id: 'ev-july-3', zone_id: Z, occurred_at: '2026-07-04T10:00:00Z' }, TEST_KEY_HEX);
    await db?.exec(`DELETE FROM public.audit_events WHERE id = 'ev-july-2'`);
    const r = await run();
    expect(r.status).toBe('fail');
  });
});
