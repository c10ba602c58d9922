import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditDlq } from '../../../src/checks/redis/audit-dlq.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { AUDIT_DLQ_STREAM, addDlqEntries, provisionCaracalStreams, type DlqEntrySpec } from '../../fixtures/caracal-redis.ts';

const NOW = new Date('2026-03-01T12:00:00Z');
const ago = (seconds: number) => new Date(NOW.getTime() - seconds * 1000);

let lease: LeasedRedis;
let tc: TestContext | undefined;

function context(): TestContext {
  tc = buildContext({ caracal: { redis: { url: lease.url } } }, {}, { now: () => NOW });
  return tc;
}

beforeAll(async () => {
  lease = await leaseRedisDb();
});
afterAll(async () => {
  await lease.release();
});
beforeEach(async () => {
  await lease.client.flushdb();
});
afterEach(async () => {
  await tc?.close();
  tc = undefined;
});

describe('audit.dlq', () => {
  it('passes when the DLQ stream does not exist (Helm, never provisioned)', async () => {
    const result = await runOne(auditDlq, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.metrics['dlq.length']).toBe(0);
  });

  it('passes when the provisioned DLQ stream is empty', async () => {
    await provisionCaracalStreams(lease.client);
    const result = await runOne(auditDlq, context().ctx);
    expect(result.status).toBe('pass');
    expect(result.summary).toContain('caracal.audit.events.dlq is empty');
  });

  it('fails with counts per class and reason, the oldest age and the replay remedy', async () => {
    await addDlqEntries(lease.client, [
      { reason: 'transient_exceeded_max_deliveries:dial tcp 10.0.0.5:5432: connect: connection refused', at: ago(3600) },
      { reason: 'pg_permanent_error:23502 null value in column "zone_id"', at: ago(1800) },
      { reason: 'hmac_verify_failed', at: ago(60) },
    ]);
    const result = await runOne(auditDlq, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toBe('3 audit events in the DLQ: 2 replayable, 1 integrity failure, 0 other; oldest 3600 s old.');
    expect(result.metrics).toMatchObject({
      'dlq.length': 3,
      'dlq.scanned': 3,
      'dlq.replayable': 2,
      'dlq.integrity': 1,
      'dlq.other': 0,
      'dlq.nonReplayableHead': 0,
      'dlq.oldestAgeSeconds': 3600,
    });
    expect(result.evidence).toContain('By reason: transient_exceeded_max_deliveries 1, pg_permanent_error 1, hmac_verify_failed 1.');
    expect(result.remedy).toContain('POST /api/audit/dlq/replay');
    expect(result.remedy).toContain('Audit admin token');
    expect(result.remedy).toMatch(/The 1 integrity failure \(.*\) must be investigated, never replayed/);
    expect(result.remedy).toContain('Replay the 2 replayable entries with');
    expect(result.remedy).not.toMatch(/N must exceed/);
    expect(result.matrix).toEqual(['audit']);
  });

  it('classifies every integrity reason, and a replayable reason without src_data as not replayable', async () => {
    await addDlqEntries(lease.client, [
      { reason: 'json_parse_error:unexpected end of JSON input' },
      { reason: 'tamper_on_replay' },
      { reason: 'missing_data_field', srcData: false },
      { reason: 'pg_permanent_error:22P02 invalid input syntax', srcData: false },
      { reason: 'something_new:from a later Audit' },
    ]);
    const result = await runOne(auditDlq, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.metrics).toMatchObject({ 'dlq.replayable': 0, 'dlq.integrity': 3, 'dlq.other': 2 });
    expect(result.evidence).toContain(
      'By reason: json_parse_error 1, tamper_on_replay 1, missing_data_field 1, pg_permanent_error (no src_data) 1, something_new 1.',
    );
    expect(result.remedy).not.toContain('POST /api/audit/dlq/replay');
    expect(result.remedy).toContain('replay skips them');
  });

  it('counts in words that agree with the numbers: one event, one of each class, then two of each', async () => {
    const summaryOf = async (specs: DlqEntrySpec[]) => {
      await lease.client.flushdb();
      await addDlqEntries(lease.client, specs);
      const result = await runOne(auditDlq, context().ctx);
      await tc?.close();
      return result;
    };
    const one = await summaryOf([{ reason: 'tamper_on_replay', at: ago(5) }]);
    expect(one.summary).toBe('1 audit event in the DLQ: 0 replayable, 1 integrity failure, 0 other; oldest 5 s old.');
    expect(one.remedy).toContain('The 1 integrity failure (');
    const each = await summaryOf([
      { reason: 'hmac_verify_failed', at: ago(9) },
      { reason: 'pg_permanent_error:x', at: ago(8) },
      { reason: 'something_new', at: ago(7) },
    ]);
    expect(each.summary).toBe('3 audit events in the DLQ: 1 replayable, 1 integrity failure, 1 other; oldest 9 s old.');
    expect(each.remedy).toContain('Replay the 1 replayable entry with');
    expect(each.remedy).toContain('1 non-replayable entry comes first, so N must exceed 1');
    expect(each.remedy).toContain('Inspect the 1 other entry by hand (GET /api/audit/dlq on Audit): replay skips it.');
    const two = await summaryOf([
      { reason: 'hmac_verify_failed', at: ago(9) },
      { reason: 'json_parse_error:eof', at: ago(8) },
      { reason: 'something_new', at: ago(7) },
      { reason: 'other_new', at: ago(6) },
    ]);
    expect(two.summary).toBe('4 audit events in the DLQ: 0 replayable, 2 integrity failures, 2 other; oldest 9 s old.');
    expect(two.remedy).toContain('The 2 integrity failures (');
    expect(two.remedy).toContain('Inspect the 2 other entries by hand (GET /api/audit/dlq on Audit): replay skips them.');
  });

  it("follows Audit's replay rule exactly: the reason needs its colon and src_data must not be blank", async () => {
    await addDlqEntries(lease.client, [{ reason: 'transient_exceeded_max_deliveries' }, { reason: 'pg_permanent_error:23502 null value' }]);
    // A blank src_data is what a producer that sent `data: ""` leaves behind: Audit skips it on replay.
    await lease.client.xadd(
      AUDIT_DLQ_STREAM,
      '*',
      'reason',
      'transient_exceeded_max_deliveries:conn refused',
      'received_at',
      String(NOW.getTime()),
      'src_data',
      '  ',
    );
    const result = await runOne(auditDlq, context().ctx);
    expect(result.metrics).toMatchObject({ 'dlq.replayable': 1, 'dlq.other': 2 });
    expect(result.evidence.join('\n')).toContain('transient_exceeded_max_deliveries (no colon after the reason) 1');
    expect(result.evidence.join('\n')).toContain('transient_exceeded_max_deliveries (no src_data) 1');
  });

  it('explains that a head of non-replayable entries blocks a replay with a small limit', async () => {
    const head: DlqEntrySpec[] = Array.from({ length: 3 }, () => ({ reason: 'hmac_verify_failed', at: ago(600) }));
    await addDlqEntries(lease.client, [...head, { reason: 'transient_exceeded_max_deliveries:timeout', at: ago(500) }]);
    const result = await runOne(auditDlq, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.metrics['dlq.nonReplayableHead']).toBe(3);
    expect(result.remedy).toContain('3 non-replayable entries come first, so N must exceed 3');
  });

  it('says the classification covers only the first 1000 entries of a longer DLQ', async () => {
    const pipeline = lease.client.pipeline();
    for (let i = 0; i < 1005; i++) {
      pipeline.xadd(AUDIT_DLQ_STREAM, '*', 'reason', 'hmac_verify_failed', 'received_at', String(Date.now()));
    }
    await pipeline.exec();
    const result = await runOne(auditDlq, context().ctx);
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('1005 audit events in the DLQ (classification covers the first 1000 of 1005)');
    expect(result.metrics).toMatchObject({ 'dlq.length': 1005, 'dlq.scanned': 1000, 'dlq.integrity': 1000 });
    expect(result.remedy).toContain('a replay needs limit > 1000');
  });
});
