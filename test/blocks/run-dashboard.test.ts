import { describe, expect, it } from 'vitest';
import { fitMessage } from '../../src/blocks/limits.ts';
import { runDashboardMessage } from '../../src/blocks/run-dashboard.ts';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { GATES } from '../../src/domain/gates.ts';
import type { GateCheck, RunState } from '../../src/domain/run.ts';
import { ANY_FINDING, PLACEMENT } from '../../src/remediation/placement.ts';
import { checkBlocks } from '../../src/sandbox/slack/validate.ts';
import type { JsonObject } from '../../src/sandbox/slack/json.ts';
import type { Gate } from '../../src/domain/gates.ts';
import { gateCheck, runAtGate } from '../helpers/run-state.ts';

const NOW = new Date('2026-11-28T12:00:00Z');
const check = (checkId: string, status: GateCheck['status'], findings?: string[]): GateCheck => gateCheck(checkId, status, NOW, findings);

/** A long finding with everything mrkdwn must escape, as a failing check reports it. */
const finding = (id: string) =>
  `${id} failed: ${'evidence <!channel> & <b>x</b> *y* _z_ row 0190b000-0000-7000-8000-0000000000aa '.repeat(40)}`;

/**
 * Every check of the gate (the Resume gate re-runs them all), all failing with long summaries and every finding
 * kind a remediation or a note is placed under (remediation/placement.ts), so every offer shows too.
 */
function failingChecks(g: Gate): GateCheck[] {
  return ALL_CHECKS.filter((c) => g === 'resume' || c.gates.includes(g)).map((c) => ({
    checkId: c.id,
    status: 'fail',
    startedAt: NOW,
    finishedAt: NOW,
    summary: finding(c.id),
    findings: PLACEMENT.filter((p) => p.check === c.id && p.finding !== ANY_FINDING).map((p) => p.finding),
  }));
}

/** The largest real dashboard with `openGate` open: every gate up to it shows all of its checks failing. */
function largestRunAt(openGate: Gate, kind: RunState['kind'], override: boolean): RunState {
  const run = runAt(openGate, kind, override);
  const open = GATES.indexOf(openGate);
  run.gates.forEach((g, j) => void (j <= open && (g.checks = failingChecks(g.gate))));
  return run;
}

/** Every Freeze item, each ticked by someone with a user id as long as real ones: Resume lists them all. */
const FROZEN_BY = { rollouts: 'U01EVE234567', policies: 'U01EVE234567', control: 'U01EVE234567' };

function runAt(openGate: Gate, kind: RunState['kind'], override: boolean): RunState {
  return runAtGate(openGate, {
    run: {
      title: '<!channel> '.repeat(40),
      kind,
      scenario: kind === 'drill' ? 'redis-outage' : undefined,
      startedBy: 'U0ALICE',
      startedAt: NOW,
      dashboardTs: '1.2',
      version: 7,
      drillMarks: kind === 'drill' ? { injected: NOW } : {},
    },
    gate: (g, status) => ({
      claimedBy: status === 'open' ? 'U0ALICE' : undefined,
      doneBy: status === 'confirmed' ? 'U0ALICE' : undefined,
      doneAt: status === 'confirmed' ? NOW : undefined,
      openedAt: NOW,
      checklist: FROZEN_BY,
      confirmVotes: status === 'open' && g === 'resume' ? [{ userId: 'U0BOB', at: NOW }] : [],
      override:
        override && status === 'open' && g !== 'resume' ? { id: 'o1', requestedBy: 'U0BOB', reason: 'x'.repeat(400), at: NOW } : undefined,
    }),
  });
}

describe('run dashboard', () => {
  const cases = GATES.flatMap((gate) =>
    (['recovery', 'drill'] as const).flatMap((kind) => [false, true].map((override) => ({ gate, kind, override }))),
  );

  it.each(cases)(
    'is a message Slack accepts: $gate open, $kind, override pending $override, every check failing',
    ({ gate, kind, override }) => {
      const run = largestRunAt(gate, kind, override);
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
    },
  );

  it('gives each remediation and drill button its own action id within its block', () => {
    const run = runAt('safety', 'drill', false);
    run.gates[4].checks = [check('gateway.revocation', 'fail', ['snapshot_stale']), check('audit.tamper', 'pass')];
    const message = runDashboardMessage(run, { sandbox: false, approvalsRequired: () => 1 });
    const actionBlocks = (message.blocks as unknown as JsonObject[]).filter((b) => b.type === 'actions');
    expect(actionBlocks.length).toBeGreaterThanOrEqual(3);
    for (const block of actionBlocks) {
      const ids = (block.elements as { action_id: string }[]).map((e) => e.action_id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });
});

describe('remediation buttons on the dashboard (issue 12: the finding carries the button)', () => {
  type Block = {
    type: string;
    block_id?: string;
    text?: { text: string };
    elements?: { action_id: string; value: string; text: { text: string } }[];
  };
  const blocksOf = (run: RunState) => runDashboardMessage(run, { sandbox: false, approvalsRequired: () => 1 }).blocks as unknown as Block[];
  const remedyButtons = (blocks: Block[]) =>
    blocks.flatMap((b) =>
      (b.elements ?? [])
        .filter((e) => String(e.action_id ?? '').startsWith('gate_remediate:'))
        .map((e) => ({ block: b.block_id, action: JSON.parse(e.value) as { action: string; gate: string } })),
    );

  it('puts the requeue and the dead-row reset under services.ready at Services, right after the finding', () => {
    const run = runAt('services', 'recovery', false);
    run.gates[2].checks = [check('services.ready', 'fail', ['outbox_dead', 'outbox_dead_messages']), check('sts.jwks', 'pass')];
    const blocks = blocksOf(run);
    expect(checkBlocks(blocks as unknown as JsonObject[], 'message')).toBeUndefined();
    const buttons = remedyButtons(blocks);
    expect(buttons.map((b) => [b.block, b.action.gate, b.action.action])).toEqual([
      ['remediate_services_services.ready_v7', 'services', 'coordinator.requeue'],
      ['remediate_services_services.ready_v7', 'services', 'api.outbox_reset'],
    ]);
    const at = blocks.findIndex((b) => b.block_id === 'remediate_services_services.ready_v7');
    expect(blocks[at - 1].text?.text).toContain('`services.ready`');
    expect(blocks[at - 1].text?.text).toContain('services.ready fail');
  });

  it('offers nothing where no finding needs it: a passing gate, a locked gate, a Redis-down readiness', () => {
    const green = runAt('evidence', 'recovery', false);
    green.gates[3].checks = [check('outbox.coordinator', 'pass'), check('audit.dlq', 'pass')];
    expect(remedyButtons(blocksOf(green))).toEqual([]);
    const redisDown = runAt('services', 'recovery', false);
    redisDown.gates[2].checks = [check('services.ready', 'fail', ['internal_error'])];
    redisDown.gates[3].checks = [check('outbox.coordinator', 'fail', ['dead_rows'])]; // locked: no button
    expect(remedyButtons(blocksOf(redisDown))).toEqual([]);
  });

  it('says under the finding at which gate it settles by design', () => {
    const run = runAt('evidence', 'recovery', false);
    run.gates[3].checks = [check('outbox.api', 'fail', ['not_draining'])];
    const text = blocksOf(run)
      .map((b) => b.text?.text ?? '')
      .join('\n');
    expect(text).toMatch(/`not_draining` settles at Drain audit replay, DLQ and outboxes by design: Pending rows drain by themselves/);
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
