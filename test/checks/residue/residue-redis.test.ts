// The residue baseline on a real Redis (issue 12 item 3): what the `.dead` streams and the Audit DLQ held when the
// run started is shown as old residue; only what arrived since fails. The break-glass export reads it whole.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { auditDlq } from '../../../src/checks/redis/audit-dlq.ts';
import { redisDeadStreams } from '../../../src/checks/redis/dead-streams.ts';
import { captureBaseline, type ResidueBaseline } from '../../../src/checks/residue/baseline.ts';
import { exportResidue } from '../../../src/remediation/residue-export.ts';
import { scrubber } from '../../../src/redact.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { AUDIT_DLQ_STREAM, addDeadLetters, addDlqEntries, provisionCaracalStreams } from '../../fixtures/caracal-redis.ts';

let lease: LeasedRedis;
let tc: TestContext | undefined;

function context(): TestContext {
  tc = buildContext({ caracal: { redis: { url: lease.url } } });
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
  await provisionCaracalStreams(lease.client);
});
afterEach(async () => {
  await tc?.close();
  tc = undefined;
});

async function baselineNow(): Promise<{ ctx: TestContext['ctx']; baseline: ResidueBaseline }> {
  const { ctx } = context();
  const baseline = await captureBaseline(ctx, AbortSignal.timeout(5000));
  ctx.incident = { startedAt: new Date(baseline.takenAt), residue: baseline };
  return { ctx, baseline };
}

describe('residue baseline: .dead streams', () => {
  it('records lengths and last ids; old entries are information, a new one warns', async () => {
    await addDeadLetters(lease.client, 'caracal.sessions.revoke', 2);
    const { ctx, baseline } = await baselineNow();
    const [last] = await lease.client.xrevrange('caracal.sessions.revoke.dead', '+', '-', 'COUNT', 1);
    expect(baseline.deadStreams?.['caracal.sessions.revoke.dead']).toEqual({ length: 2, lastId: last[0] });
    expect(baseline.deadStreams?.['caracal.policy.invalidate.dead']).toEqual({ length: 0, lastId: null });
    expect(baseline.unread).toEqual([]);

    let r = await runOne(redisDeadStreams, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(
      /caracal\.sessions\.revoke\.dead: 2 dead entries from before the incident \(baseline \d\d:\d\d UTC\), none new/,
    );

    await addDeadLetters(lease.client, 'caracal.sessions.revoke', 1);
    r = await runOne(redisDeadStreams, ctx);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('caracal.sessions.revoke.dead holds 1 dead-lettered messages since the baseline');
    expect(r.summary).toContain('(and 2 from before)');
  });

  it('without a reading of Redis at the start, judges by entry time', async () => {
    await addDeadLetters(lease.client, 'caracal.policy.invalidate', 1);
    const { ctx } = context();
    const takenAt = new Date(Date.now() + 60_000);
    ctx.incident = {
      startedAt: takenAt,
      residue: { v: 1, takenAt: takenAt.toISOString(), stsCompileErrors: {}, tamper: {}, unread: ['Redis (down)'] },
    };
    let r = await runOne(redisDeadStreams, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toContain('by entry time');
    await lease.client.xadd(
      'caracal.policy.invalidate.dead',
      `${takenAt.getTime() + 1000}-0`,
      'original_id',
      '1-0',
      'error',
      'x',
      'values',
      '{}',
    );
    r = await runOne(redisDeadStreams, ctx);
    expect(r.status).toBe('warn');
  });
});

describe('residue baseline: Audit DLQ', () => {
  it('old integrity entries pass as information; a new integrity entry fails; an old replayable one still fails', async () => {
    await addDlqEntries(lease.client, [{ reason: 'hmac_verify_failed' }, { reason: 'tamper_on_replay' }]);
    const { ctx, baseline } = await baselineNow();
    expect(baseline.auditDlq).toMatchObject({ length: 2, integrity: 2 });

    let r = await runOne(auditDlq, ctx);
    expect(r.status).toBe('pass');
    expect(r.summary).toMatch(/^2 integrity entries in the DLQ from before the incident \(baseline \d\d:\d\d UTC\), none new\.$/);
    expect(r.evidence.join('\n')).toContain('Export and remove residue');

    await addDlqEntries(lease.client, [{ reason: 'hmac_verify_failed' }]);
    r = await runOne(auditDlq, ctx);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('1 audit event in the DLQ');
    expect(r.summary).toContain('plus 2 integrity entries from before the incident');
  });

  it('does not treat replayable entries from before the incident as residue', async () => {
    await addDlqEntries(lease.client, [{ reason: 'transient_exceeded_max_deliveries:conn refused' }]);
    const { ctx } = await baselineNow();
    const r = await runOne(auditDlq, ctx);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('1 replayable');
  });

  it('without a run baseline every entry counts, as before', async () => {
    await addDlqEntries(lease.client, [{ reason: 'hmac_verify_failed' }]);
    const r = await runOne(auditDlq, context().ctx);
    expect(r.status).toBe('fail');
  });
});

describe('break-glass residue export', () => {
  it('exports every dead entry and only the integrity DLQ entries, whole and scrubbed, and gives the XDEL for exactly those ids', async () => {
    const secret = 'sup3r-secret-token-value';
    await addDeadLetters(lease.client, 'caracal.sessions.revoke', 2, `bearer leaked: ${secret}`);
    const [integrity] = await addDlqEntries(lease.client, [{ reason: 'hmac_verify_failed' }]);
    const [replayable] = await addDlqEntries(lease.client, [{ reason: 'pg_permanent_error:23502 null' }]);
    const dead = (await lease.client.xrange('caracal.sessions.revoke.dead', '-', '+')).map(([id]) => id);

    const out = await exportResidue(context().ctx.redis!, scrubber([secret]));
    const exported = out.logExport?.lines ?? [];
    expect(exported).toHaveLength(3);
    // Entry ids are per stream (two streams written in the same millisecond share ids): each line is `stream id …`.
    const line = (stream: string, id: string) => exported.some((l) => l.startsWith(`${stream} ${id} `));
    for (const id of dead) expect(line('caracal.sessions.revoke.dead', id)).toBe(true);
    expect(line(AUDIT_DLQ_STREAM, integrity)).toBe(true);
    expect(line(AUDIT_DLQ_STREAM, replayable)).toBe(false);
    expect(exported.join('\n')).not.toContain(secret);
    expect(exported.find((l) => l.startsWith(AUDIT_DLQ_STREAM))).toMatch(/reason="hmac_verify_failed".*src_data=/);
    expect(out.lines).toEqual([`XDEL caracal.sessions.revoke.dead ${dead.join(' ')}`, `XDEL ${AUDIT_DLQ_STREAM} ${integrity}`]);

    // The person runs exactly what was shown: the residue is gone, the replayable entry stays for the replay action.
    for (const line of out.lines) {
      const [, stream, ...ids] = line.split(' ');
      await lease.client.xdel(stream, ...ids);
    }
    expect(await lease.client.xlen('caracal.sessions.revoke.dead')).toBe(0);
    expect((await lease.client.xrange(AUDIT_DLQ_STREAM, '-', '+')).map(([id]) => id)).toEqual([replayable]);
    expect((await exportResidue(context().ctx.redis!, scrubber([]))).summary).toContain('nothing to export');
  });
});
