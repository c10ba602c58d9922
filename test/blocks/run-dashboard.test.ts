import { describe, expect, it } from 'vitest';
import { fitMessage } from '../../src/blocks/limits.ts';
import { runDashboardMessage } from '../../src/blocks/run-dashboard.ts';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { GATE_ORDER, type GateState, type RunState } from '../../src/recovery/model.ts';
import { checkBlocks } from '../../src/sandbox/slack/validate.ts';
import type { JsonObject } from '../../src/sandbox/slack/json.ts';
import type { Gate } from '../../src/checks/types.ts';

const NOW = new Date('2026-11-28T12:00:00Z');

/** A long finding with everything mrkdwn must escape, as a failing check reports it. */
const finding = (id: string) => `${id} failed: ${'evidence <!channel> & <b>x</b> *y* _z_ row 0190b000-0000-7000-8000-0000000000aa '.repeat(40)}`;

/** Every check of the gate (the Resume gate re-runs them all), all failing with long findings. */
function failingChecks(g: Gate): GateState['checks'] {
  return ALL_CHECKS.filter((c) => g === 'resume' || c.gates.includes(g)).map((c) => ({
    checkId: c.id, status: 'fail', startedAt: NOW, finishedAt: NOW, summary: finding(c.id),
  }));
}

/** The largest real dashboard with `openGate` open: every gate that has run its checks shows them all failing. */
function runAt(openGate: Gate, kind: RunState['kind'], override: boolean): RunState {
  const i = GATE_ORDER.indexOf(openGate);
  const gates = GATE_ORDER.map((g, j): GateState => ({
    gate: g, status: j < i ? 'confirmed' : j === i ? 'open' : 'locked', claimedBy: j === i ? 'U0ALICE' : undefined,
    doneBy: j < i ? 'U0ALICE' : undefined, doneAt: j < i ? NOW : undefined, openedAt: NOW, checklist: { rollouts: 'U0EVE' },
    checks: j <= i ? failingChecks(g) : [], confirmVotes: j === i && g === 'resume' ? [{ userId: 'U0BOB', at: NOW }] : [],
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

  it.each(cases)('is a message Slack accepts: $gate open, $kind, override pending $override, every check failing', ({ gate, kind, override }) => {
    const run = runAt(gate, kind, override);
    const message = runDashboardMessage(run, { sandbox: true, approvalsRequired: (g) => (g === 'resume' ? 2 : 1) });
    // What Slack receives: the egress fits every message (delivery/egress-fetch.ts).
    const sent = fitMessage(message);
    expect(checkBlocks(sent.blocks as unknown as JsonObject[], 'message')).toBeUndefined();
    expect(sent.text).toContain('[SANDBOX]');
    const shown = JSON.stringify(sent.blocks);
    if (kind === 'drill') expect(shown).toContain('Simulated Caracal* panel');
    // However many findings, the open gate's checks and its buttons still reach Slack: the gate can be acted on.
    const openChecks = run.gates.find((g) => g.gate === gate)!.checks;
    expect(openChecks.length > 0).toBe(gate !== 'freeze'); // the Freeze gate has a checklist instead of checks
    for (const c of openChecks) expect(shown).toContain(`\`${c.checkId}\``);
    expect(shown).toContain(`"action_id":"gate_confirm"`);
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
