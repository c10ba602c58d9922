// Issue 14 item 5: every message is made to fit Slack's limits at the boundary, deterministically, instead of
// being refused. The oracle is the sandbox's validator (Slack's documented limits).
import type { KnownBlock } from '@slack/types';
import type { FetchFunction } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { ACTION, BLOCK } from '../../src/blocks/ids.ts';
import { fitMessage, LIMITS, splitMessage } from '../../src/blocks/limits.ts';
import { logEntryMessage } from '../../src/blocks/log-entry.ts';
import { runDashboardMessage } from '../../src/blocks/run-dashboard.ts';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { egressFetch } from '../../src/delivery/egress-fetch.ts';
import type { LastAction } from '../../src/recovery/actions.ts';
import { GATES } from '../../src/domain/gates.ts';
import { CARACAL_ALERT_NAMES, caracalAlert } from '../../src/domain/alert-catalog.ts';
import { DRILLS } from '../../src/drills/catalog.ts';
import { ANY_FINDING, PLACEMENT } from '../../src/remediation/placement.ts';
import type { GateState, RunState } from '../../src/domain/run.ts';
import { scrubber } from '../../src/redact.ts';
import { checkBlocks } from '../../src/sandbox/slack/validate.ts';
import type { JsonObject } from '../../src/sandbox/slack/json.ts';
import type { Gate } from '../../src/domain/gates.ts';

const NOW = new Date('2026-11-28T12:00:00Z');
const valid = (blocks: readonly KnownBlock[] | undefined) => checkBlocks((blocks ?? []) as unknown as JsonObject[], 'message');

const LONG = (id: string) =>
  `${id} failed: ${'a long finding with evidence <!channel> & <b>x</b> *y* _z_, row 0190b000-0000-7000-8000-0000000000aa '.repeat(60)}`;

/**
 * The largest real dashboard: every gate open (so each shows its live parts) and claimed, with all of its real checks
 * (src/checks/registry.ts; Resume re-runs them all) failing with long findings of every kind a remediation or a note
 * is placed under, so every remediation button shows; Freeze's checklist ticked (so Resume lists the whole unfreeze
 * checklist); a pending override on every gate that has one; Resume's votes; a deep verification with more findings
 * than are listed; every Caracal alert firing (Resume's acknowledgement button); a drill with its card; the watch;
 * the longest title, environment name and last action on every gate.
 */
function largestRun(): RunState {
  const drill = [...DRILLS].sort((x, y) => JSON.stringify(y).length - JSON.stringify(x).length)[0];
  const gates = GATES.map((g, j): GateState => ({
    gate: g,
    status: 'open',
    claimedBy: 'U01ALICE2345',
    doneBy: undefined,
    doneAt: undefined,
    openedAt: NOW,
    checklist: { rollouts: 'U01EVE234567', policies: 'U01EVE234567', control: 'U01EVE234567' },
    checks: ALL_CHECKS.filter((c) => g === 'resume' || c.gates.includes(g)).map((c) => ({
      checkId: c.id,
      status: 'fail',
      startedAt: NOW,
      finishedAt: NOW,
      summary: LONG(c.id),
      findings: PLACEMENT.filter((p) => p.check === c.id && p.finding !== ANY_FINDING).map((p) => p.finding),
    })),
    confirmVotes: g === 'resume' ? [{ userId: 'U01BOB234567', at: NOW }] : [],
    override:
      g === 'resume' ? undefined : { id: `o${j}`.padEnd(64, 'x'), requestedBy: 'U01BOB234567', reason: 'r <!here> '.repeat(200), at: NOW },
  }));
  return {
    id: 'r'.repeat(64),
    channelId: 'C1',
    title: '<!channel> & *t* '.repeat(40),
    kind: 'drill',
    scenario: drill.id,
    status: 'active',
    startedBy: 'U01ALICE2345',
    startedAt: NOW,
    endedAt: undefined,
    dashboardTs: '1.2',
    version: 99_999,
    drillMarks: { injected: NOW },
    environment: `p${'-'.repeat(30)}z`,
    gates,
    verification: {
      eventId: 2 ** 31,
      at: NOW,
      actor: 'U01BOB234567',
      clean: false,
      hmacChecked: true,
      rowsChecked: 9_999_999,
      acks: [{ userId: 'U01BOB234567', reason: 'x', at: NOW }],
      findings: Array.from({ length: 12 }, (_, i) => ({
        zoneId: `zone-${i}-${'z'.repeat(60)}`,
        rowId: '0190b000-0000-7000-8000-0000000000aa',
        chainSeq: '9'.repeat(19),
        kinds: ['hash_mismatch', 'hmac_mismatch', 'seq_gap'],
      })),
    },
  };
}

const OPTIONS = {
  sandbox: true,
  approvalsRequired: (g: Gate) => (g === 'resume' ? 2 : 1),
  alerts: CARACAL_ALERT_NAMES.map((name) => ({ name, severity: caracalAlert(name)!.severity, startsAt: NOW })),
  watch: { mode: 'on' as const, intervalMs: 5 * 60_000 },
};
const LAST_ACTIONS = new Map<Gate, LastAction>(
  GATES.map((g) => [g, { title: 'x'.repeat(200), actor: 'U01BOB234567', at: NOW, state: 'unknown', summary: 'y <!channel> '.repeat(300) }]),
);

describe('block limits at the boundary', () => {
  it('the largest real dashboard has every live part, and each of its blocks is one Slack accepts', () => {
    const raw = runDashboardMessage(largestRun(), OPTIONS, undefined, LAST_ACTIONS);
    const shown = JSON.stringify(raw.blocks);
    // It is the largest: every part a dashboard can have is in it.
    for (const g of GATES) expect(shown, g).toContain(`"block_id":"${BLOCK.gateActions}_${g}_v99999"`);
    for (const c of ALL_CHECKS) expect(shown, c.id).toContain(`\`${c.id}\``);
    const remediations = raw.blocks.filter((b) => b.block_id?.startsWith('remediate_'));
    expect(new Set(remediations.map((b) => b.block_id!.split('_')[1]))).toEqual(new Set(['services', 'evidence', 'safety', 'resume']));
    expect(shown).toContain('*Freeze checklist*');
    expect(shown).toContain('*Unfreeze checklist*');
    expect(shown.match(/"action_id":"override_approve"/g)).toHaveLength(5);
    expect(shown).toContain(`"action_id":"${ACTION.findingAcknowledge}"`);
    expect(shown).toContain(`"action_id":"${ACTION.resumeAcknowledge}"`);
    expect(shown).toContain('Deep audit-chain verification');
    expect(shown).toContain('Last action:');
    expect(raw.blocks.length).toBeGreaterThan(LIMITS.blocksPerMessage); // the 50-block cut is exercised
    // Every block as the builder made it (no fitting), in messages of at most 50: the builder itself stays within
    // Slack's limits, and every block would be accepted wherever the cut falls.
    for (let i = 0; i < raw.blocks.length; i += LIMITS.blocksPerMessage) {
      expect(valid(raw.blocks.slice(i, i + LIMITS.blocksPerMessage)), `blocks ${i}..`).toBeUndefined();
    }
    // Posted as a new message: continuation messages carry all of it.
    const parts = splitMessage(raw);
    for (const p of parts) expect(valid(p.blocks)).toBeUndefined();
    expect(parts.flatMap((p) => p.blocks ?? []).length).toBeGreaterThanOrEqual(raw.blocks.length);
  });

  it('fits the largest real dashboard into one message Slack accepts, saying what did not fit', () => {
    const raw = runDashboardMessage(largestRun(), OPTIONS, undefined, LAST_ACTIONS);
    const fitted = fitMessage(raw);
    expect(valid(fitted.blocks)).toBeUndefined();
    expect(fitted.text.length).toBeLessThanOrEqual(LIMITS.fallbackText);
    expect(fitted.blocks).toHaveLength(LIMITS.blocksPerMessage);
    expect(fitted.blocks!.slice(0, 3)).toEqual(raw.blocks.slice(0, 3)); // the header, the run line and the drill card lead
    expect(JSON.stringify(fitted.blocks!.at(-1))).toContain(
      `… ${raw.blocks.length - (LIMITS.blocksPerMessage - 1)} more blocks do not fit in one Slack message; see \`/caracal timeline\``,
    );
    expect(fitMessage(raw)).toEqual(fitted); // deterministic
    // Ended, with the run's summary instead of the live parts.
    const ended = runDashboardMessage(
      { ...largestRun(), status: 'resumed', endedAt: NOW },
      OPTIONS,
      's <!channel> '.repeat(2000),
      LAST_ACTIONS,
    );
    expect(ended.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(valid(fitMessage(ended).blocks)).toBeUndefined();
  });

  it('splits a 40,000-character note into continuation entries that carry it in full, never refused', () => {
    const note = Array.from({ length: 5001 }, (_, i) => `word${i % 10}xx`)
      .join(' ')
      .slice(0, 40_000);
    expect(note).toHaveLength(40_000);
    const run = largestRun();
    const msg = logEntryMessage({ id: 7, runId: 'r1', at: NOW, actor: 'U1', type: 'note', gate: undefined, data: { text: note } }, run, {
      sandbox: false,
    });
    const parts = splitMessage(msg);
    for (const p of parts) {
      expect(valid(p.blocks)).toBeUndefined();
      expect(p.text.length).toBeLessThanOrEqual(3000);
    }
    const carried = parts
      .flatMap((p) => p.blocks ?? [])
      .map((b) => (b.type === 'section' ? (b.text?.text ?? '') : ''))
      .join('');
    expect(carried.replace(/\s/g, '')).toContain(note.replace(/\s/g, ''));
  });

  it('splits a long message of many blocks into parts of at most 50, each saying it continues', () => {
    const blocks: KnownBlock[] = Array.from({ length: 120 }, (_, i) => ({ type: 'section', text: { type: 'mrkdwn', text: `line ${i}` } }));
    const parts = splitMessage({ text: 'many', blocks });
    expect(parts.map((p) => p.blocks!.length)).toEqual([50, 50, 22]);
    expect(parts.every((p) => valid(p.blocks) === undefined)).toBe(true);
    expect(JSON.stringify(parts[0].blocks!.at(-1))).toContain('Continued in the next message (2/3)');
  });

  it('the egress fetch fits and scrubs what any caller sends (Web API form body and response_url JSON)', async () => {
    const seen: string[] = [];
    const base: FetchFunction = (_url, init) => {
      seen.push(typeof init?.body === 'string' ? init.body : '');
      return Promise.resolve(new Response('{"ok":true}'));
    };
    const f = egressFetch(scrubber(['xoxb-secret-token-1234']), base);
    const blocks = Array.from({ length: 60 }, () => ({
      type: 'section',
      text: { type: 'mrkdwn', text: 'Authorization: Bearer abcdefghijkl xoxb-secret-token-1234' },
    }));
    await f('https://slack.com/api/chat.postMessage', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: 'xoxb-secret-token-1234', channel: 'C1', text: 'hi', blocks: JSON.stringify(blocks) }).toString(),
    });
    await f('https://hooks.slack.com/actions/T/1/x', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text: 'token xoxb-secret-token-1234', blocks }),
    });
    const form = new URLSearchParams(seen[0]);
    expect(form.get('token')).toBe('xoxb-secret-token-1234'); // the credential field itself is never touched
    expect(JSON.parse(form.get('blocks')!)).toHaveLength(50);
    expect(form.get('blocks')).not.toContain('xoxb-secret');
    expect(form.get('blocks')).not.toContain('abcdefghijkl');
    const json = JSON.parse(seen[1]) as { text: string; blocks: unknown[] };
    expect(json.text).toBe('token [REDACTED]');
    expect(json.blocks).toHaveLength(50);
  });
});
