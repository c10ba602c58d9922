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
import { insertRun, loadRun, saveRun } from '../../src/store/runs.ts';
import { testStateDb } from '../helpers/slack.ts';

const at = (s: number) => new Date(Date.UTC(2026, 10, 30, 12, 0, s, 123));

function freshRun(): RunState {
  const input = { channelId: 'C0RUNS', title: 'read back', userId: 'U0ALICE', kind: 'drill' as const, scenario: 'redis-down' };
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
});
