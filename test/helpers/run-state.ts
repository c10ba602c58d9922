// Recovery runs as plain data, for the tests of the pure parts (the gate machine, placement, button handlers): a run
// whose gates before `open` are confirmed, `open` open and the rest locked, with whatever a test changes on top.
import { GATES, type Gate } from '../../src/domain/gates.ts';
import type { GateCheck, GateState, GateStatus, RunState } from '../../src/domain/run.ts';

/** A gate in `status` with nothing recorded on it yet. */
export function gateState(gate: Gate, status: GateStatus): GateState {
  return {
    gate,
    status,
    claimedBy: undefined,
    doneBy: undefined,
    doneAt: undefined,
    openedAt: undefined,
    checklist: {},
    checks: [],
    confirmVotes: [],
    override: undefined,
  };
}

export interface RunPatch {
  /** Over the run's own fields (id r1, channel C1, started by UALICE, version 1, active). */
  run?: Partial<RunState>;
  /** Over each gate, given its status. */
  gate?: (gate: Gate, status: GateStatus) => Partial<GateState>;
}

export function runAtGate(open: Gate, patch: RunPatch = {}): RunState {
  const at = GATES.indexOf(open);
  return {
    id: 'r1',
    channelId: 'C1',
    title: 't',
    kind: 'recovery',
    scenario: undefined,
    status: 'active',
    startedBy: 'UALICE',
    startedAt: new Date(0),
    endedAt: undefined,
    dashboardTs: undefined,
    version: 1,
    drillMarks: {},
    gates: GATES.map((gate, i) => {
      const status: GateStatus = i < at ? 'confirmed' : i === at ? 'open' : 'locked';
      return { ...gateState(gate, status), ...patch.gate?.(gate, status) };
    }),
    ...patch.run,
  };
}

/** One check's result as a gate records it, started and finished at `at`, summarised as "<id> <status>". */
export function gateCheck(checkId: string, status: GateCheck['status'], at: Date, findings?: string[]): GateCheck {
  return { checkId, status, summary: `${checkId} ${status}`, startedAt: at, finishedAt: at, ...(findings ? { findings } : {}) };
}
