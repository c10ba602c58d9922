// postgres.connections (pg_stat_activity and the Gateway pool gauge) and audit.ingest_alerts, on a real Postgres.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectionVerdict, postgresConnections } from '../../../src/checks/postgres/connections.ts';
import { auditIngestAlerts } from '../../../src/checks/postgres/ingest-alerts.ts';
import { startFakeCaracal, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';
import { buildContext, runOne, type TestContext } from '../../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../../helpers/pg.ts';
import { loadCaracalSchema } from '../../fixtures/caracal-db.ts';
import { TOKENS_ENV } from '../http/harness.ts';

let db: TempDatabase;
let fake: FakeCaracal;
let t: TestContext | undefined;
beforeAll(async () => {
  db = await createTempDatabase('signals');
  await loadCaracalSchema(db);
  fake = await startFakeCaracal({ pods: { gateway: 2 } });
});
afterAll(async () => {
  await fake.close();
  await db.drop();
});
afterEach(async () => {
  await t?.close();
  t = undefined;
});
const context = () => (t = buildContext({ caracal: { postgres: { url: db.url }, services: fake.urls } }, TOKENS_ENV));

describe('postgres.connections', () => {
  it('shows connections per role against max_connections and every Gateway pool ratio, parsed from Prometheus text', async () => {
    const r = await runOne(postgresConnections, context().ctx);
    expect(r.status).toBe('pass');
    expect(r.evidence[0]).toMatch(
      /^pg_stat_activity: \d+ client connections of \d+ usable \(max_connections \d+\); per role: postgres \d+/,
    );
    expect(r.evidence.filter((l) => l.includes('caracal_db_pool_in_use_ratio 0.20 (limit 0.9)'))).toHaveLength(2);
  });

  it("fails on a saturated Gateway pool (the chart's CaracalPostgresPoolSaturation threshold)", async () => {
    fake.state.gateway[1].dbPoolInUseRatio = 0.97;
    try {
      const r = await runOne(postgresConnections, context().ctx);
      expect(r.status).toBe('fail');
      expect(r.summary).toContain('caracal_db_pool_in_use_ratio 0.97 (limit 0.9)');
      expect(r.matrix).toEqual(['postgres', 'gateway']);
    } finally {
      fake.state.gateway[1].dbPoolInUseRatio = 0.2;
    }
  });

  it.each([
    [10, 97, 'pass'],
    [77, 97, 'pass'],
    [78, 97, 'warn'],
    [93, 97, 'fail'],
  ] as const)('%i of %i usable connections → %s', (total, usable, want) => {
    expect(connectionVerdict(total, usable)).toBe(want);
  });
});

describe('audit.ingest_alerts', () => {
  it('passes on an empty table, fails on a recent content_mismatch_on_replay, warns on old ones only', async () => {
    expect((await runOne(auditIngestAlerts, context().ctx)).status).toBe('pass');
    await db.exec(`INSERT INTO audit_ingest_alerts (event_id, zone_id, kind, detail, observed_at)
      VALUES ('evt-old', 'z1', 'content_mismatch_on_replay', 'sha differs', now() - interval '3 days')`);
    let r = await runOne(auditIngestAlerts, context().ctx);
    await t?.close();
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('1 older replay-tamper alert(s)');
    await db.exec(`INSERT INTO audit_ingest_alerts (event_id, zone_id, kind) VALUES ('evt-new', 'z1', 'content_mismatch_on_replay')`);
    r = await runOne(auditIngestAlerts, context().ctx);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('1 replay-tamper alert(s) in audit_ingest_alerts in the last 24 h (2 in all)');
    expect(r.evidence[0]).toContain('content_mismatch_on_replay event_id=evt-new zone_id=z1');
    expect(r.matrix).toEqual(['audit']);
  });
});
