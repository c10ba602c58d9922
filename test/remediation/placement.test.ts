// The placement table (issue 12 item 1): every row names a real check and real actions, every action is offered
// somewhere, a finding settles only at its own gate or a later one, and the offer follows the open gate's findings.
import { describe, expect, it } from 'vitest';
import { ALL_CHECKS, findCheck } from '../../src/checks/registry.ts';
import { READY_ADVICE } from '../../src/checks/http/ready-reasons.ts';
import { ANY_FINDING, PLACEMENT, fixesOnGate, placementRefusal, placementsFor } from '../../src/remediation/placement.ts';
import { ALL_ACTIONS } from '../../src/remediation/registry.ts';
import { GATES } from '../../src/domain/gates.ts';
import type { GateCheck, RunState } from '../../src/domain/run.ts';
import type { Gate } from '../../src/domain/gates.ts';
import { gateCheck, runAtGate } from '../helpers/run-state.ts';

const NOW = new Date('2026-11-30T08:00:00Z');
const check = (checkId: string, status: GateCheck['status'], findings?: string[]): GateCheck => gateCheck(checkId, status, NOW, findings);

function runWith(open: Gate, checks: GateCheck[], status: RunState['status'] = 'active'): RunState {
  return runAtGate(open, {
    run: { status, startedBy: 'U1', startedAt: NOW, dashboardTs: '1.2', version: 3 },
    gate: (gate) => ({ openedAt: NOW, checks: gate === open ? checks : [] }),
  });
}

describe('the placement table', () => {
  it('names only real check ids and real actions, and each row either fixes or settles', () => {
    const checks = new Set(ALL_CHECKS.map((c) => c.id));
    const actions = new Set(ALL_ACTIONS.map((a) => a.id));
    for (const row of PLACEMENT) {
      expect(checks.has(row.check), row.check).toBe(true);
      for (const id of row.fixes ?? []) expect(actions.has(id), `${row.check}: ${id}`).toBe(true);
      expect((row.fixes?.length ?? 0) > 0 || row.settledAt !== undefined, `${row.check}/${row.finding}`).toBe(true);
      expect(row.note.length).toBeGreaterThan(10);
    }
  });

  it('offers every remediation action on at least one finding', () => {
    const placed = new Set(PLACEMENT.flatMap((r) => r.fixes ?? []));
    expect(ALL_ACTIONS.map((a) => a.id).filter((id) => !placed.has(id))).toEqual([]);
  });

  it("settles a finding only at its check's gate or a later one", () => {
    for (const row of PLACEMENT.filter((r) => r.settledAt)) {
      const first = Math.min(...findCheck(row.check)!.gates.map((g) => GATES.indexOf(g)));
      expect(GATES.indexOf(row.settledAt!), `${row.check}/${row.finding}`).toBeGreaterThanOrEqual(first);
    }
  });

  it('keys services.ready rows on the /ready answers the probe knows (caracal-ops.md §1.5, §1.6, §15.1.2)', () => {
    for (const row of PLACEMENT.filter((r) => r.check === 'services.ready')) {
      expect(row.finding === ANY_FINDING || Object.hasOwn(READY_ADVICE, row.finding), row.finding).toBe(true);
    }
  });

  it('has one row per check and finding', () => {
    const keys = PLACEMENT.map((r) => `${r.check}/${r.finding}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('what is offered where', () => {
  it('offers the requeue and the dead-row reset at Services when Coordinator and API /ready say their outbox is dead', () => {
    const run = runWith('services', [check('services.ready', 'fail', ['outbox_dead', 'outbox_dead_messages']), check('sts.jwks', 'pass')]);
    const fixes = fixesOnGate(run.gates.find((g) => g.gate === 'services')!);
    expect(fixes).toEqual([{ checkId: 'services.ready', actions: ['coordinator.requeue', 'api.outbox_reset'], settled: [] }]);
    expect(placementRefusal(run, 'services', 'coordinator.requeue')).toBeUndefined();
    expect(placementRefusal(run, 'services', 'api.outbox_reset')).toBeUndefined();
  });

  it('offers only what fixes the findings shown: a Redis-down /ready gets no requeue', () => {
    const run = runWith('services', [check('services.ready', 'fail', ['internal_error', 'redis_unreachable'])]);
    expect(fixesOnGate(run.gates[2])).toEqual([]);
    expect(placementRefusal(run, 'services', 'coordinator.requeue')).toMatch(/none of its latest check results shows a finding it fixes/);
  });

  it('offers nothing for a check that passes, except read-only looks deeper than the check', () => {
    const run = runWith('safety', [check('gateway.revocation', 'pass'), check('audit.tamper', 'pass')]);
    expect(fixesOnGate(run.gates[4])).toEqual([{ checkId: 'audit.tamper', actions: ['audit.verify_chain'], settled: [] }]);
    expect(placementRefusal(run, 'safety', 'gateway.reload')).toBeDefined();
  });

  it('says where a finding settles by design instead of offering a button', () => {
    const run = runWith('evidence', [check('outbox.coordinator', 'fail', ['not_draining']), check('redis.backlog', 'fail')]);
    const fixes = fixesOnGate(run.gates[3]);
    expect(fixes.map((f) => [f.checkId, f.actions, f.settled.map((s) => s.gate)])).toEqual([
      ['outbox.coordinator', [], ['evidence']],
      ['redis.backlog', [], ['evidence']],
    ]);
  });

  it('refuses on a gate that is not open, and on a run that has ended', () => {
    const run = runWith('services', [check('services.ready', 'fail', ['outbox_dead'])]);
    expect(placementRefusal(run, 'evidence', 'coordinator.requeue')).toMatch(/that gate is not open/);
    expect(placementRefusal({ ...run, status: 'resumed' }, 'services', 'coordinator.requeue')).toMatch(/already ended/);
  });

  it('matches a kind-less failure only with rows for any finding', () => {
    expect(placementsFor(check('outbox.api', 'error')).length).toBe(0);
    expect(placementsFor(check('redis.backlog', 'error')).map((r) => r.settledAt)).toEqual(['evidence']);
  });
});
