// Issue 18: ids from Caracal's database are validated before they shape an admin URL, and quoted in SQL shown to a
// DBA so that the statement means the same whatever standard_conforming_strings is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetStatement } from '../../src/checks/postgres/outbox-reset-sql.ts';
import { createCheckTargets, type CheckTargets } from '../../src/checks/context.ts';
import { coordinatorRequeue } from '../../src/remediation/coordinator-requeue.ts';
import { startFakeCaracal, FAKE_COORDINATOR_TOKEN, type FakeCaracal } from '../../src/sandbox/fake-caracal.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { testConfig } from '../helpers/check-context.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';

describe('ids before URLs and SQL', () => {
  let caracal: TempDatabase;
  let fake: FakeCaracal;
  let targets: CheckTargets;
  const ZONE = '00000000-0000-4000-8000-000000000001';
  const GOOD = '0190b000-0000-7000-8000-0000000000c1';

  beforeAll(async () => {
    caracal = await createTempDatabase('ids');
    await loadCaracalSchema(caracal);
    fake = await startFakeCaracal();
    targets = createCheckTargets(
      testConfig(
        { caracal: { postgres: { url: caracal.url }, services: fake.urls } },
        { CARACAL_COORDINATOR_TOKEN: FAKE_COORDINATOR_TOKEN },
      ),
    );
  });
  afterAll(async () => {
    await targets.close();
    await fake.close();
    await caracal.drop();
  });

  it('never sends a requeue whose row or zone id could redirect the operator-token POST', async () => {
    const insert = (id: string, zone: string, n: number) =>
      caracal.exec(
        `INSERT INTO caracal_outbox (id, producer, topic, dedupe_key, payload_json, status, attempts) VALUES ($1, 'coordinator', 't', $2, $3::jsonb, 'dead', 10)`,
        [id, `k${n}`, JSON.stringify({ zone_id: zone })],
      );
    await insert('..', ZONE, 1);
    await insert(GOOD, '../../internal/revocations/reload?x=', 2);
    await insert('0190b000-0000-7000-8000-0000000000c3', ZONE, 3);
    const before = fake.requests.length;
    const outcome = await coordinatorRequeue.run(targets.context, AbortSignal.timeout(5000));
    const sent = fake.requests.slice(before).filter((r) => r.method === 'POST');
    expect(sent.map((r) => r.path)).toEqual([`/zones/${ZONE}/outbox/0190b000-0000-7000-8000-0000000000c3/requeue`]);
    expect(outcome.lines.filter((l) => l.includes('not called'))).toHaveLength(2);
    expect(outcome.lines.join('\n')).toContain(
      'row ".." (zone "00000000-0000-4000-8000-000000000001"): not called: the row id is not a valid id',
    );
  });

  it("quotes ids for the DBA with E'' unless they are UUIDs, so quotes and backslashes cannot end the literal", async () => {
    const sql = resetStatement([GOOD, "x'); DROP TABLE zones; --", "a\\' OR true --"]);
    expect(sql).toContain(`'${GOOD}'`);
    expect(sql).toContain("E'x''); DROP TABLE zones; --'");
    expect(sql).toContain("E'a\\\\'' OR true --'");
    // Both ways a server may read string literals give the same three ids.
    for (const conforming of ['on', 'off']) {
      const rows = await caracal.exec(
        `SET standard_conforming_strings = ${conforming}; SELECT unnest(ARRAY[${sql.slice(sql.indexOf('IN (') + 4, sql.indexOf(') AND'))}]) AS id`,
      );
      const result = Array.isArray(rows) ? (rows as { rows: { id: string }[] }[])[1].rows : (rows.rows as { id: string }[]);
      expect(result.map((r) => r.id)).toEqual([GOOD, "x'); DROP TABLE zones; --", "a\\' OR true --"]);
    }
  });
});
