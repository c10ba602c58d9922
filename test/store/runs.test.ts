// A run is read back (one query for the run, its gates, checks, votes, pending override and drill markers) exactly as
// it was saved: every field, every date, in gate order and check order, with only the pending override and confirm
// votes among approvals. Every decision reads its run this way under the lock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATES } from '../../src/domain/gates.ts';
import type { RunState } from '../../src/domain/run.ts';
import { newRun } from '../../src/recovery/start-run.ts';
import type { Db } from '../../src/store/db.ts';
import { appendEvent } from '../../src/store/events.ts';
import { insertRun, loadRun, lockAndReadRun, READ_RUN, saveRun } from '../../src/store/runs.ts';
import { VERIFY_ACTION } from '../../src/store/verifications.ts';
import { testStateDb } from '../helpers/slack.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s, 123));

/** A run of its own channel (a channel has one active run at a time). */
function freshRun(): RunState {
  const input = {
    channelId: `C0${randomUUID().slice(0, 8).toUpperCase()}`,
    title: 'read back',
    userId: 'U0ALICE',
    kind: 'drill' as const,
    scenario: 'redis-down',
  };
  return newRun(randomUUID(), input, 'default', at(0));
}

describe('reading a run back', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  it('gives back every field saved, dates to the millisecond, in gate and check order', async () => {
    const before = freshRun();
    await insertRun(state.db, before);
    const [freeze, storage, ...rest] = before.gates;
    const after: RunState = {
      ...before,
      gates: [
        {
          ...freeze,
          status: 'confirmed',
          claimedBy: 'U0BOB',
          doneBy: 'U0BOB',
          doneAt: at(5),
          checklist: { rollouts: 'U0BOB', policies: 'U0ALICE' },
          checks: [
            { checkId: 'b.second', status: 'fail', summary: 'down', startedAt: at(2), finishedAt: at(3), findings: ['dead_rows'] },
            { checkId: 'a.first', status: 'pass', summary: 'fine', startedAt: at(2), finishedAt: at(4) },
          ],
        },
        {
          ...storage,
          status: 'open',
          openedAt: at(5),
          confirmVotes: [{ userId: 'U0ALICE', at: at(6) }],
          override: { id: randomUUID(), requestedBy: 'U0CAROL', reason: 'the check cannot reach it', at: at(7) },
        },
        ...rest,
      ],
    };
    await state.db.transaction((tx) => saveRun(tx, before, after, at(7), 'U0BOB'));
    await appendEvent(state.db, before.id, at(8), {
      type: 'drill_marker',
      gate: undefined,
      actor: 'U0ALICE',
      data: { marker: 'injected' },
    });
    await appendEvent(state.db, before.id, at(9), {
      type: 'drill_marker',
      gate: undefined,
      actor: 'U0ALICE',
      data: { marker: 'alert_fired' },
    });

    const read = await loadRun(state.db, before.id);
    const sortedChecks = [...after.gates[0].checks].sort((a, b) => a.checkId.localeCompare(b.checkId));
    expect(read).toEqual({
      ...after,
      version: 2,
      drillMarks: { injected: at(8), alert_fired: at(9) },
      gates: [{ ...after.gates[0], checks: sortedChecks }, ...after.gates.slice(1)],
    });
    expect(read?.gates.map((g) => g.gate)).toEqual([...GATES]);
  });

  it('an unknown run is undefined', async () => {
    expect(await loadRun(state.db, randomUUID())).toBeUndefined();
  });

  it('gives the latest deep verification with its acknowledgements, and the event a request key was applied with', async () => {
    const run = freshRun();
    await insertRun(state.db, run);
    const verified = (id: string, clean: boolean) => ({
      type: 'action_finished' as const,
      gate: 'safety' as const,
      actor: 'U0ALICE',
      data: {
        action: VERIFY_ACTION,
        title: 'Verify audit chain',
        result: 'success' as const,
        ok: true,
        summary: 'verified',
        lines: [],
        startedEventId: id,
        verification: { clean, hmacChecked: true, rowsChecked: 10, findings: [] },
      },
    });
    await appendEvent(state.db, run.id, at(1), verified('1', false));
    const latest = await appendEvent(state.db, run.id, at(2), verified('2', true));
    const ack = (verificationEventId: string, actor: string, s: number) =>
      appendEvent(state.db, run.id, at(s), {
        type: 'finding_acknowledged',
        gate: 'safety',
        actor,
        data: { verificationEventId, finding: 'z1', reason: `checked by ${actor}`, acks: 1, required: 2 },
      });
    await ack('1', 'U0OLD', 3); // acknowledges the earlier verification: not this one's
    await ack(String(latest), 'U0BOB', 4);
    const claimed = await appendEvent(state.db, run.id, at(5), {
      type: 'gate_claimed',
      gate: 'freeze',
      actor: 'U0BOB',
      data: { requestKey: 'click:U0BOB:1.1' },
    });

    const read = await state.db.transaction((tx) => lockAndReadRun(tx, run.id, 'click:U0BOB:1.1'));
    expect(read?.run.verification).toEqual({
      eventId: latest,
      at: at(2),
      actor: 'U0ALICE',
      clean: true,
      hmacChecked: true,
      rowsChecked: 10,
      findings: [],
      acks: [{ userId: 'U0BOB', reason: 'checked by U0BOB', at: at(4) }],
    });
    expect(read?.applied).toEqual({ id: claimed, type: 'gate_claimed', actor: 'U0BOB' });
    expect((await state.db.transaction((tx) => lockAndReadRun(tx, run.id, 'click:U0BOB:2.2')))?.applied).toBeUndefined();
  });

  it('does not walk the run’s log (nor other runs’) for its verification or a new request key', async () => {
    const [run, other] = [freshRun(), freshRun()];
    for (const r of [run, other]) {
      await insertRun(state.db, r);
      await state.db.query(
        `INSERT INTO events (run_id, at, actor, type, gate, v, data)
         SELECT $1, now(), 'U0X', 'denied', 'freeze', 1, jsonb_build_object('command', 'claim', 'reason', 'r', 'requestKey', $1 || ':' || g)
         FROM generate_series(1, 10000) g`,
        [r.id],
      );
    }
    await state.db.query('ANALYZE events');
    const [plan] = (await state.db.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${READ_RUN}`, [run.id, 'click:new']))
      .rows;
    const removed = (node: unknown): number => {
      if (!node || typeof node !== 'object') return 0;
      const n = node as Record<string, unknown>;
      const own = typeof n['Rows Removed by Filter'] === 'number' ? n['Rows Removed by Filter'] : 0;
      return (
        own +
        Object.values(n).reduce<number>(
          (sum, v) => sum + (Array.isArray(v) ? v.reduce<number>((s, c) => s + removed(c), 0) : removed(v)),
          0,
        )
      );
    };
    expect(removed(plan['QUERY PLAN'])).toBeLessThan(100);
  });
});
