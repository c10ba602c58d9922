// The dashboard's button handlers, called as Bolt calls them (buildArgs) against a recording fake of the recovery
// service: what each click asks of the service, with which origin, and what the person is told. The rules themselves
// are the machine's (test/recovery/machine.test.ts); the wiring is covered end to end in test/slack/.
import { describe, expect, it } from 'vitest';
import {
  handleChecklist,
  handleGateCommand,
  handleGateRelease,
  handleOverrideOpen,
  handleRunChecks,
  type GateActionDeps,
} from '../../src/actions/gate-buttons.ts';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { Gate } from '../../src/domain/gates.ts';
import type { GateCheck, RunState } from '../../src/domain/run.ts';
import type { Command } from '../../src/recovery/machine.ts';
import type { ActResult, ClickOrigin } from '../../src/recovery/service.ts';
import { createMetrics } from '../../src/metrics.ts';
import { buildArgs, buildCheckboxArgs } from '../helpers/action-args.ts';
import { runAtGate } from '../helpers/run-state.ts';

const DASHBOARD_TS = '1700000000.000100';
const RUN_ID = 'r1';

function run(over: Partial<RunState> = {}): RunState {
  return runAtGate('freeze', { run: { id: RUN_ID, channelId: 'C0RUN', dashboardTs: DASHBOARD_TS, environment: 'prod', ...over } });
}

/** Records every act() and answers with `reply` (or ok). */
function fakeService(state: RunState | undefined, reply: (c: Command) => ActResult = () => ({ ok: true, run: state! })) {
  const acts: { runId: string; gate: Gate; command: Command; userId: string; origin: ClickOrigin | undefined }[] = [];
  const service: GateActionDeps['service'] = {
    act: (runId, gate, command, userId, origin) => (acts.push({ runId, gate, command, userId, origin }), Promise.resolve(reply(command))),
    load: () => Promise.resolve(state),
    markDrill: () => Promise.resolve({ ok: true, run: state! }),
  };
  return { service, acts };
}

const value = (gate: Gate) => encodePayload(gateButtonPayload, { v: 1, runId: RUN_ID, gate });

describe('gate button handlers', () => {
  it('Claim asks the service with the click as origin (channel, dashboard message, a request key per click) and says nothing on success', async () => {
    const { service, acts } = fakeService(run());
    const args = buildArgs(ACTION.gateClaim, value('freeze'), { userId: 'UBOB', actionTs: '1700000009.1' });
    await handleGateCommand({ service }, { type: 'claim' })(args);
    expect(acts).toEqual([
      {
        runId: RUN_ID,
        gate: 'freeze',
        command: { type: 'claim' },
        userId: 'UBOB',
        origin: { channelId: 'C0RUN', messageTs: DASHBOARD_TS, requestKey: 'click:UBOB:1700000009.1' },
      },
    ]);
    expect(args.told).toEqual([]);
  });

  it("a refusal is told to the person who clicked, in the service's words", async () => {
    const { service } = fakeService(run(), () => ({ ok: false, kind: 'denied', reason: 'Tick every Freeze item first.' }));
    const args = buildArgs(ACTION.gateConfirm, value('freeze'));
    await handleGateCommand({ service }, { type: 'confirm' })(args);
    expect(args.told).toEqual(['Tick every Freeze item first.']);
  });

  it('Release on a reminder in the thread is judged by its channel only (the reminder is not the dashboard)', async () => {
    const { service, acts } = fakeService(run());
    await handleGateRelease({ service })(buildArgs(ACTION.gateRelease, value('storage'), { messageTs: '1700000099.000001' }));
    expect(acts[0].origin).toEqual({ channelId: 'C0RUN' });
  });

  it('Run checks from another channel runs no check and reveals nothing about the run', async () => {
    const { service, acts } = fakeService(run());
    let ran = 0;
    const deps = { service, runGateChecks: () => (ran++, Promise.resolve([])) };
    const args = buildArgs(ACTION.gateRunChecks, value('storage'), { channelId: 'C0ELSEWHERE' });
    await handleRunChecks(deps)(args);
    expect(ran).toBe(0);
    expect(acts).toEqual([]);
    expect(args.told).toEqual(['This button does not belong to a run of this channel.']);
  });

  it("Run checks runs the gate's checks against the run's own environment and records them", async () => {
    const { service, acts } = fakeService(run());
    const results: GateCheck[] = [
      { checkId: 'redis.ping', status: 'pass', summary: 'ok', startedAt: new Date(1), finishedAt: new Date(2) },
    ];
    const asked: unknown[] = [];
    await handleRunChecks({ service, runGateChecks: (gate, r) => (asked.push({ gate, r }), Promise.resolve(results)) })(
      buildArgs(ACTION.gateRunChecks, value('storage')),
    );
    expect(asked).toEqual([{ gate: 'storage', r: { id: RUN_ID, environment: 'prod' } }]);
    expect(acts.map((a) => a.command)).toEqual([{ type: 'record_checks', results }]);
  });

  it('Request override opens the modal for an approver only', async () => {
    const { service } = fakeService(run());
    const stranger = buildArgs(ACTION.gateOverride, value('storage'), { userId: 'UEVE' });
    await handleOverrideOpen({ service, isApprover: () => Promise.resolve(false), sandbox: false, metrics: createMetrics() })(stranger);
    expect(stranger.opened).toEqual([]);
    expect(stranger.told).toEqual(['Only configured approvers can request an override.']);
    const approver = buildArgs(ACTION.gateOverride, value('storage'), { triggerId: 'trig-9' });
    await handleOverrideOpen({ service, isApprover: () => Promise.resolve(true), sandbox: false, metrics: createMetrics() })(approver);
    expect(approver.opened.map((o) => o.trigger_id)).toEqual(['trig-9']);
  });

  it('the checklist ticks only what changed, each item its own request, and stops at the first refusal', async () => {
    const state = run();
    state.gates[0].checklist = { rollouts: 'UALICE' };
    const { service, acts } = fakeService(state, (c) =>
      c.type === 'tick' && c.item === 'control' ? { ok: false, kind: 'denied', reason: 'no' } : { ok: true, run: state },
    );
    const blockId = `gate_freeze|v3|${value('freeze')}`;
    const args = buildCheckboxArgs(ACTION.freezeChecklist, blockId, ['policies', 'control'], { actionTs: '1700000005.5' });
    await handleChecklist({ service })(args);
    expect(acts.map((a) => [a.command, a.origin?.requestKey])).toEqual([
      [{ type: 'tick', item: 'rollouts', checked: false }, 'click:UALICE:1700000005.5:rollouts'],
      [{ type: 'tick', item: 'policies', checked: true }, 'click:UALICE:1700000005.5:policies'],
      [{ type: 'tick', item: 'control', checked: true }, 'click:UALICE:1700000005.5:control'],
    ]);
    expect(args.told).toEqual(['no']);
  });
});
