import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecoveryService, type RecoveryService } from '../../src/recovery/service.ts';
import type { GatePolicy } from '../../src/recovery/machine.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { testStateDb } from '../helpers/state.ts';
import { pgliteDb } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';

const policy: GatePolicy = {
  freshnessMs: 5 * 60_000,
  approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
  requiredChecks: (g) => (g === 'freeze' ? [] : ['postgres.reachable']),
};
const APPROVERS = new Set(['UALICE', 'UBOB']);
let seq = 0;

function service(db: Db, now = () => new Date()): RecoveryService {
  return createRecoveryService({
    startPolicy: { who: 'anyone', drillChannels: [] },
    db,
    policy,
    isApprover: (u) => Promise.resolve(APPROVERS.has(u)),
    now,
    newId: () => `id${++seq}${Math.random().toString(36).slice(2, 8)}`,
  });
}

async function deliveries(db: Db, runId: string): Promise<{ kind: string; type: string | null }[]> {
  return (
    await db.query<{ kind: string; type: string | null }>(
      'SELECT d.kind, e.type FROM deliveries d LEFT JOIN events e ON e.id = d.event_id WHERE d.run_id = $1 ORDER BY d.id',
      [runId],
    )
  ).rows;
}

async function freezeDone(s: RecoveryService, runId: string): Promise<void> {
  for (const item of ['rollouts', 'policies', 'control'] as const)
    await s.act(runId, 'freeze', { type: 'tick', item, checked: true }, 'UEVE');
  expect((await s.act(runId, 'freeze', { type: 'confirm' }, 'UALICE')).ok).toBe(true);
}

describe('recovery service on Postgres', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  it('starts one active run per channel; the run, its events and its deliveries commit together', async () => {
    const s = service(state.db);
    const first = await s.startRun({ channelId: 'C-ONE', title: 'redis down', userId: 'UEVE' });
    expect(first.ok).toBe(true);
    const second = await s.startRun({ channelId: 'C-ONE', title: 'again', userId: 'UBOB' });
    expect(second).toMatchObject({ ok: false, kind: 'conflict' });
    const runId = first.ok ? first.run.id : '';
    expect((await listEvents(state.db, runId)).map((e) => e.type)).toEqual(['run_started']);
    expect(await deliveries(state.db, runId)).toEqual([
      { kind: 'thread', type: 'run_started' },
      { kind: 'dashboard', type: null },
    ]);
  });

  it('applies a click once: its redelivery (same click id) is answered as applied and changes nothing, even after others acted', async () => {
    const s = service(state.db);
    const r = await s.startRun({ channelId: 'C-REDELIVER', title: 't', userId: 'UEVE' });
    const runId = r.ok ? r.run.id : '';
    const dashboardTs = r.ok ? r.run.dashboardTs : undefined;
    const click = (requestKey: string) => ({ channelId: 'C-REDELIVER', messageTs: dashboardTs, requestKey });
    expect((await s.act(runId, 'freeze', { type: 'claim' }, 'UEVE', click('click:UEVE:1.1'))).ok).toBe(true);
    expect((await s.act(runId, 'freeze', { type: 'claim' }, 'UBOB', click('click:UBOB:2.2'))).ok).toBe(true);
    // Eve's first click comes again (its ack was lost): it must not take the gate back from Bob.
    const again = await s.act(runId, 'freeze', { type: 'claim' }, 'UEVE', click('click:UEVE:1.1'));
    expect(again.ok).toBe(true);
    expect(again.ok && again.run.gates[0].claimedBy).toBe('UBOB');
    const claims = (await listEvents(state.db, runId)).filter((e) => e.type === 'gate_claimed');
    expect(claims.map((e) => e.actor)).toEqual(['UEVE', 'UBOB']);
    // A new click of Eve's (another id) is a new request.
    expect((await s.act(runId, 'freeze', { type: 'claim' }, 'UEVE', click('click:UEVE:3.3'))).ok).toBe(true);
    expect((await listEvents(state.db, runId)).filter((e) => e.type === 'gate_claimed').map((e) => e.actor)).toEqual([
      'UEVE',
      'UBOB',
      'UEVE',
    ]);
  });

  it('logs a denial as an event with a thread entry, and changes nothing else', async () => {
    const s = service(state.db);
    const r = await s.startRun({ channelId: 'C-DENY', title: 't', userId: 'UEVE' });
    const runId = r.ok ? r.run.id : '';
    const denied = await s.act(runId, 'freeze', { type: 'confirm' }, 'UEVE');
    expect(denied).toMatchObject({ ok: false, kind: 'denied' });
    const events = await listEvents(state.db, runId);
    expect(events.at(-1)).toMatchObject({ type: 'denied', actor: 'UEVE', gate: 'freeze' });
    expect((await s.load(runId))!.version).toBe(1);
  });

  it('refuses a confirm with a stale check, and accepts it with a fresh pass', async () => {
    let clock = new Date('2026-11-28T12:00:00Z');
    const s = service(state.db, () => clock);
    const r = await s.startRun({ channelId: 'C-STALE', title: 't', userId: 'UEVE' });
    const runId = r.ok ? r.run.id : '';
    await freezeDone(s, runId);
    await s.act(
      runId,
      'storage',
      {
        type: 'record_checks',
        results: [{ checkId: 'postgres.reachable', status: 'pass', summary: 'ok', startedAt: clock, finishedAt: clock }],
      },
      'UEVE',
    );
    clock = new Date(clock.getTime() + 6 * 60_000);
    const stale = await s.act(runId, 'storage', { type: 'confirm' }, 'UALICE');
    expect(stale).toMatchObject({ ok: false, kind: 'denied' });
    expect(!stale.ok && stale.reason).toContain('stale');
    await s.act(
      runId,
      'storage',
      {
        type: 'record_checks',
        results: [{ checkId: 'postgres.reachable', status: 'pass', summary: 'ok', startedAt: clock, finishedAt: clock }],
      },
      'UEVE',
    );
    expect((await s.act(runId, 'storage', { type: 'confirm' }, 'UALICE')).ok).toBe(true);
    const loaded = await s.load(runId);
    expect(loaded!.gates.find((g) => g.gate === 'storage')!.status).toBe('confirmed');
    expect(loaded!.gates.find((g) => g.gate === 'services')!.status).toBe('open');
  });

  it('50 simultaneous confirms from two service instances apply once: one transition, one log entry', async () => {
    const a = service(state.db);
    const b = service(state.db);
    const r = await a.startRun({ channelId: 'C-RACE', title: 't', userId: 'UEVE' });
    const runId = r.ok ? r.run.id : '';
    for (const item of ['rollouts', 'policies', 'control'] as const)
      await a.act(runId, 'freeze', { type: 'tick', item, checked: true }, 'UEVE');
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).act(runId, 'freeze', { type: 'confirm' }, i % 3 ? 'UALICE' : 'UBOB')),
    );
    expect(results.filter((x) => x.ok)).toHaveLength(1);
    const refusals = results.filter((x) => !x.ok);
    expect(refusals.every((x) => !x.ok && x.kind === 'conflict' && /already confirmed by <@U(ALICE|BOB)>/.test(x.reason))).toBe(true);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'gate_confirmed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'denied')).toHaveLength(0);
    const thread = (await deliveries(state.db, runId)).filter((d) => d.type === 'gate_confirmed');
    expect(thread).toHaveLength(1);
  });
});

describe('recovery service on embedded PGlite', () => {
  it('runs the same queries: start, tick, confirm, a note', async () => {
    const db = await pgliteDb();
    await migrate(db);
    const s = service(db);
    const r = await s.startRun({ channelId: 'C-LITE', title: 'lite', userId: 'UEVE' });
    expect(r.ok).toBe(true);
    const runId = r.ok ? r.run.id : '';
    await freezeDone(s, runId);
    expect((await s.addEvent('C-LITE', 'UEVE', 'note', { text: 'hello' })).ok).toBe(true);
    const types = (await listEvents(db, runId)).map((e) => e.type);
    expect(types).toEqual([
      'run_started',
      'checklist_ticked',
      'checklist_ticked',
      'checklist_ticked',
      'gate_confirmed',
      'gate_opened',
      'note',
    ]);
    await db.close();
  }, 60_000);
});
