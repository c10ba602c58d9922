// Issue 14 item 5: every message is made to fit Slack's limits at the boundary, deterministically, instead of
// being refused. The oracle is the sandbox's validator (Slack's documented limits).
import type { KnownBlock } from '@slack/types';
import type { FetchFunction } from '@slack/web-api';
import { describe, expect, it } from 'vitest';
import { fitMessage, splitMessage } from '../../src/blocks/limits.ts';
import { logEntryMessage } from '../../src/blocks/log-entry.ts';
import { runDashboardMessage } from '../../src/blocks/run-dashboard.ts';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { egressFetch } from '../../src/delivery/egress-fetch.ts';
import type { LastAction } from '../../src/recovery/actions.ts';
import { GATES } from '../../src/domain/gates.ts';
import type { GateState, RunState } from '../../src/domain/run.ts';
import { scrubber } from '../../src/redact.ts';
import { checkBlocks } from '../../src/sandbox/slack/validate.ts';
import type { JsonObject } from '../../src/sandbox/slack/json.ts';
import type { Gate } from '../../src/domain/gates.ts';

const NOW = new Date('2026-11-28T12:00:00Z');
const valid = (blocks: readonly KnownBlock[] | undefined) => checkBlocks((blocks ?? []) as unknown as JsonObject[], 'message');

/** The largest real dashboard: every gate open-looking with all of its checks failing and long findings. */
function worstRun(): RunState {
  const gates = GATES.map((g, j): GateState => ({
    gate: g, status: j === 0 ? 'open' : 'overridden', claimedBy: 'U0ALICE', doneBy: 'U0BOB', doneAt: NOW, openedAt: NOW,
    checklist: { rollouts: 'U0EVE', policies: 'U0EVE', control: 'U0EVE' },
    checks: ALL_CHECKS.filter((c) => g === 'resume' || c.gates.includes(g)).map((c) => ({
      checkId: c.id, status: 'fail', startedAt: NOW, finishedAt: NOW,
      summary: `${c.id} failed: ${'a long finding with evidence <and> & details, row 0190b000-0000-7000-8000-0000000000aa '.repeat(60)}`,
    })),
    confirmVotes: [{ userId: 'U0BOB', at: NOW }], override: { id: `o${j}`, requestedBy: 'U0BOB', reason: 'r'.repeat(2000), at: NOW },
  }));
  return { id: 'r1', channelId: 'C1', title: 't'.repeat(500), kind: 'drill', scenario: 'redis-outage', status: 'active', startedBy: 'U0ALICE', startedAt: NOW, endedAt: undefined, dashboardTs: '1.2', version: 9, drillMarks: { injected: NOW }, gates };
}

describe('block limits at the boundary', () => {
  it('fits the largest real dashboard into one message Slack accepts, saying what did not fit', () => {
    const actions = new Map<Gate, LastAction>(GATES.map((g) => [g, { title: 'x'.repeat(200), actor: 'U1', at: NOW, state: 'failure', summary: 'y'.repeat(2000) }]));
    const raw = runDashboardMessage(worstRun(), { sandbox: true, approvalsRequired: () => 2 }, 's'.repeat(5000), actions);
    const fitted = fitMessage(raw);
    expect(valid(fitted.blocks)).toBeUndefined();
    expect(fitted.blocks!.length).toBeLessThanOrEqual(50);
    expect(fitMessage(raw)).toEqual(fitted); // deterministic
    // Twice as much does not fit in one message: the last block says so and where to read the rest.
    const doubled = fitMessage({ text: raw.text, blocks: [...raw.blocks, ...raw.blocks, ...raw.blocks] });
    expect(valid(doubled.blocks)).toBeUndefined();
    expect(doubled.blocks).toHaveLength(50);
    expect(JSON.stringify(doubled.blocks!.at(-1))).toMatch(/more blocks do not fit in one Slack message; see `\/caracal timeline`/);
  });

  it('splits a 40,000-character note into continuation entries that carry it in full, never refused', () => {
    const note = Array.from({ length: 5001 }, (_, i) => `word${i % 10}xx`).join(' ').slice(0, 40_000);
    expect(note).toHaveLength(40_000);
    const run = worstRun();
    const msg = logEntryMessage({ id: 7, runId: 'r1', at: NOW, actor: 'U1', type: 'note', gate: undefined, data: { text: note } }, run, { sandbox: false });
    const parts = splitMessage(msg);
    for (const p of parts) {
      expect(valid(p.blocks)).toBeUndefined();
      expect(p.text.length).toBeLessThanOrEqual(3000);
    }
    const carried = parts.flatMap((p) => p.blocks ?? []).map((b) => (b.type === 'section' ? b.text?.text ?? '' : '')).join('');
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
    const blocks = Array.from({ length: 60 }, () => ({ type: 'section', text: { type: 'mrkdwn', text: 'Authorization: Bearer abcdefghijkl xoxb-secret-token-1234' } }));
    await f('https://slack.com/api/chat.postMessage', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: 'xoxb-secret-token-1234', channel: 'C1', text: 'hi', blocks: JSON.stringify(blocks) }).toString() });
    await f('https://hooks.slack.com/actions/T/1/x', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'token xoxb-secret-token-1234', blocks }) });
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
