// The advice texts that were wrong against real Caracal (caracal-ops.md §15.2): each one says what Caracal does.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetTransaction } from '../../src/checks/postgres/outbox-reset-sql.ts';
import { DRILLS, findDrill } from '../../src/drills/catalog.ts';
import { apiOutboxBreakGlass, replayRestartBreakGlass } from '../../src/remediation/break-glass.ts';
import { httpHint } from '../../src/remediation/hints.ts';
import { isReplayableEntry } from '../../src/checks/redis/replay-rules.ts';
import { findSymptom } from '../../src/troubleshoot/symptoms.ts';
import { FAILURE_MATRIX } from '../../src/domain/failure-matrix.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { buildContext } from '../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';

const signal = () => new AbortController().signal;

describe('troubleshooting and drills', () => {
  it('rollback: a newer Coordinator refuses an older schema (after a restore), not the reverse', () => {
    const text = findSymptom('rollback')?.explanation ?? '';
    expect(text).toContain('a newer Coordinator on an older schema');
    expect(text).toContain('restoring an older database backup');
    expect(text).not.toContain('older Coordinator refuses to start on a newer schema');
  });

  it('the Redis outage drill does not promise CaracalAuditConsumerLagHigh, and says why', () => {
    const drill = findDrill('redis-outage');
    expect(drill?.expectedAlerts).not.toContain('CaracalAuditConsumerLagHigh');
    expect(drill?.caveat).toContain('CaracalAuditConsumerLagHigh need not fire');
  });

  it('the Postgres outage drill expects Gateway revocation reload errors', () => {
    const drill = findDrill('postgres-outage');
    expect(drill?.expectedAlerts).toContain('CaracalGatewayRevocationReloadErrors');
    expect(drill?.expectedBehaviour).toContain('revocation_reload_errors grows');
  });

  it('names no document the user does not have', () => {
    const texts = [
      ...DRILLS.flatMap((d) => [d.inject, d.expectedBehaviour, d.recover, d.caveat]),
      findSymptom('rollback')?.explanation ?? '',
    ];
    for (const t of texts) expect(t).not.toMatch(/caracal-ops|§/);
  });

  it('the failure matrix has an API row of its own; Control no longer stands for the API', () => {
    expect(FAILURE_MATRIX.api.impact).toContain('Admin API and Console down');
    expect(FAILURE_MATRIX.api.impact).toContain('not published');
    expect(FAILURE_MATRIX.control.recovery).toContain('if the API is ready');
  });
});

describe('replay files and persistence', () => {
  it('branches on replayPersistence: a pod restart destroys files on emptyDir; Compose restarts the service', async () => {
    const { ctx, close } = buildContext({ caracal: { services: { sts: ['http://sts:8080'], gateway: ['http://gw:8081'] } } });
    const out = await replayRestartBreakGlass.run(ctx, signal());
    await close();
    const text = out.lines.join('\n');
    expect(text).toContain('replayPersistence.enabled=true');
    expect(text).toMatch(/replayPersistence\.enabled=false.*deleting the pod DESTROYS its replay files/);
    expect(text).toContain('kubectl -n <namespace> cp');
    expect(text).toContain('docker compose restart sts');
  });
});

describe('HTTP hints per service', () => {
  it.each([
    ['coordinator', 404, { error: 'dead_outbox_not_found' }, /no longer dead/],
    ['coordinator', 401, { error: 'invalid_token' }, /unset there/],
    ['audit', 401, 'unauthorized\n', /differs from Audit's AUDIT_ADMIN_TOKEN/],
    ['audit', 404, '404 page not found\n', /unset on Audit/],
    ['api', 401, { error: 'invalid_admin_token' }, /invalid_admin_token/],
    ['api', 404, { error: 'policy_set_binding_not_found' }, /no such policy set/],
  ] as const)('%s %i', (service, status, body, hint) => {
    expect(httpHint(service, status, body)).toMatch(hint);
  });
  it('never blames the token for a Coordinator 404', () => {
    expect(httpHint('coordinator', 404, { error: 'dead_outbox_not_found' })).not.toMatch(/token/);
  });
});

describe('DLQ replay rule', () => {
  it.each([
    [{ reason: 'transient_exceeded_max_deliveries:conn refused', src_data: '{}' }, true],
    [{ reason: 'pg_permanent_error:23502', src_data: '{"id":1}' }, true],
    [{ reason: 'transient_exceeded_max_deliveries', src_data: '{}' }, false],
    [{ reason: 'pg_permanent_error_x:1', src_data: '{}' }, false],
    [{ reason: 'pg_permanent_error:1', src_data: '   ' }, false],
    [{ reason: 'pg_permanent_error:1' }, false],
    [{ reason: 'hmac_verify_failed', src_data: '{}' }, false],
  ])('%j → %s', (fields, want) => {
    expect(isReplayableEntry(fields)).toBe(want);
  });
});

describe('break-glass SQL for dead API outbox rows', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await createTempDatabase('breakglass');
    await loadCaracalSchema(db);
  });
  afterAll(async () => {
    await db.drop();
  });

  it('is one transaction, RETURNING the ids, with the expected count per statement and in total', () => {
    const ids = Array.from({ length: 250 }, (_, i) => `id-${i}`);
    const lines = resetTransaction(ids);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^BEGIN; -- resets 250 dead event_outbox row\(s\) in 3 statement\(s\)/);
    expect(lines.slice(1, 4).map((l) => /expect (\d+) row/.exec(l)?.[1])).toEqual(['100', '100', '50']);
    expect(lines.slice(1, 4).every((l) => l.includes('RETURNING id;'))).toBe(true);
    expect(lines[4]).toMatch(/^COMMIT; -- only if the statements returned 250 row\(s\)/);
  });

  it('lists every dead row, and the SQL resets exactly those when a DBA runs it', async () => {
    const values = Array.from(
      { length: 120 },
      (_, i) => `('dead-${i}', 'caracal.sessions.revoke', '{}', 100, 'infinity', 'x', now() - interval '${i} seconds')`,
    );
    await db.exec(`INSERT INTO event_outbox (id, stream_name, payload_json, attempts, available_at, last_error, created_at) VALUES ${values.join(', ')},
      ('live-1', 'caracal.sessions.revoke', '{}', 1, now(), NULL, now())`);
    const { ctx, close } = buildContext({ caracal: { postgres: { url: db.url } } });
    const out = await apiOutboxBreakGlass.run(ctx, signal());
    await close();
    expect(out.lines).toHaveLength(4);
    expect(out.summary).toContain('120 dead event_outbox row(s), 2 statement(s) in one transaction');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      let returned = 0;
      for (const line of out.lines) {
        const r = await client.query(line);
        returned += line.startsWith('UPDATE') ? (r.rowCount ?? 0) : 0;
      }
      expect(returned).toBe(120);
      const left = await client.query(`SELECT count(*)::int AS n FROM event_outbox WHERE available_at = 'infinity'`);
      expect(left.rows[0]).toEqual({ n: 0 });
    } finally {
      await client.end();
    }
  });
});
