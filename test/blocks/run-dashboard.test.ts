import { describe, expect, it } from 'vitest';
import { runDashboardMessage } from '../../src/blocks/run-dashboard.ts';
import { GATE_ORDER, type GateState, type RunState } from '../../src/recovery/model.ts';
import { checkBlocks } from '../../src/sandbox/slack/validate.ts';
import type { JsonObject } from '../../src/sandbox/slack/json.ts';
import type { Gate } from '../../src/checks/types.ts';

const NOW = new Date('2026-11-28T12:00:00Z');

function runAt(openGate: Gate, kind: RunState['kind'], override: boolean): RunState {
  const i = GATE_ORDER.indexOf(openGate);
  const gates = GATE_ORDER.map((g, j): GateState => ({
    gate: g, status: j < i ? 'confirmed' : j === i ? 'open' : 'locked', claimedBy: j === i ? 'U0ALICE' : undefined,
    doneBy: j < i ? 'U0ALICE' : undefined, doneAt: j < i ? NOW : undefined, openedAt: NOW, checklist: { rollouts: 'U0EVE' },
    checks: [], confirmVotes: j === i && g === 'resume' ? [{ userId: 'U0BOB', at: NOW }] : [],
    override: override && j === i && g !== 'resume' ? { id: 'o1', requestedBy: 'U0BOB', reason: 'x'.repeat(400), at: NOW } : undefined,
  }));
  return {
    id: 'r1', channelId: 'C1', title: '<!channel> '.repeat(40), kind, scenario: kind === 'drill' ? 'redis-outage' : undefined,
    status: 'active', startedBy: 'U0ALICE', startedAt: NOW, endedAt: undefined, dashboardTs: '1.2', version: 7,
    drillMarks: kind === 'drill' ? { injected: NOW } : {}, gates,
  };
}

describe('run dashboard', () => {
  const cases = GATE_ORDER.flatMap((gate) => (['recovery', 'drill'] as const).flatMap((kind) => [false, true].map((override) => ({ gate, kind, override }))));

  it.each(cases)('is a message Slack accepts: $gate open, $kind, override pending $override', ({ gate, kind, override }) => {
    const message = runDashboardMessage(runAt(gate, kind, override), { sandbox: true, approvalsRequired: (g) => (g === 'resume' ? 2 : 1) });
    expect(checkBlocks(message.blocks as unknown as JsonObject[], 'message')).toBeUndefined();
    expect(message.text).toContain('[SANDBOX]');
    if (kind === 'drill') expect(JSON.stringify(message.blocks)).toContain('Simulated Caracal* panel');
  });

  it('gives each remediation and drill button its own action id within its block', () => {
    const message = runDashboardMessage(runAt('safety', 'drill', false), { sandbox: false, approvalsRequired: () => 1 });
    const actionBlocks = (message.blocks as unknown as JsonObject[]).filter((b) => b.type === 'actions');
    expect(actionBlocks.length).toBeGreaterThanOrEqual(3);
    for (const block of actionBlocks) {
      const ids = (block.elements as { action_id: string }[]).map((e) => e.action_id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

describe('the sandbox validator', () => {
  it('refuses two elements with one action id in one block, as Slack does', () => {
    const button = { type: 'button', action_id: 'same', text: { type: 'plain_text', text: 'x' } };
    const invalid = checkBlocks([{ type: 'actions', elements: [button, button] }], 'message');
    expect(invalid?.error).toBe('invalid_blocks');
    expect(invalid?.errors.join()).toContain('duplicate action_id "same"');
  });
});
