import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';
import type { Gate } from '../../src/domain/gates.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import {
  blocksOf,
  buttonClick,
  captureSlackApi,
  startTestBot,
  testStateDb,
  waitFor,
  type SlackCall,
  type TestBot,
} from '../helpers/slack.ts';

const greenCheck = (id: string, gates: Gate[]): CheckDefinition => ({
  id,
  title: id,
  gates,
  reads: '-',
  run: () => Promise.resolve({ status: 'pass', summary: `${id} ok` }),
});
const CHECKS = [
  greenCheck('postgres.reachable', ['storage']),
  greenCheck('services.ready', ['services']),
  greenCheck('audit.dlq', ['evidence']),
  greenCheck('gateway.revocation', ['safety']),
];

type Element = { action_id: string; value?: string; type: string };
type Block = { type: string; block_id?: string; elements?: Element[]; accessory?: Element & { options: { value: string }[] } };

describe('a whole recovery run through signed Slack requests', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const ephemeral: string[] = [];

  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({ db: state.db, checks: CHECKS, file: { recovery: { approvers: { users: ['UALICE', 'UBOB'] } } } });
    calls = captureSlackApi((c) => {
      if (c.method !== 'users.info') return undefined;
      const id = String(c.body.user);
      const name = { UALICE: 'Alice', UBOB: 'Bob', UEVE: 'Eve' }[id];
      return name
        ? [200, { ok: true, user: { id, name: name.toLowerCase(), real_name: `${name} Example`, profile: { display_name: name } } }]
        : [200, { ok: false, error: 'user_not_found' }];
    });
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: { text?: string }) => {
        ephemeral.push(String(b.text));
        return true;
      })
      .reply(200, 'ok');
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  const dashboardTs = () => calls.find((c) => c.method === 'chat.postMessage' && !c.body.thread_ts)!.reply.ts as string;
  function dashboard(): Block[] {
    const last = calls
      .filter((c) => (c.method === 'chat.update' && c.body.ts === dashboardTs()) || (c.method === 'chat.postMessage' && !c.body.thread_ts))
      .at(-1)!;
    return blocksOf(last) as Block[];
  }
  function element(actionId: string): Element & { block_id: string } {
    for (const b of dashboard()) {
      const found =
        (b.elements ?? []).find((e) => e.action_id === actionId) ?? (b.accessory?.action_id === actionId ? b.accessory : undefined);
      if (found) return { ...found, block_id: b.block_id! };
    }
    throw new Error(`no ${actionId} on the dashboard`);
  }
  async function click(actionId: string, user: string): Promise<void> {
    const e = element(actionId);
    const payload = buttonClick(actionId, e.value ?? '', { user, messageTs: dashboardTs() });
    (payload.actions as Record<string, unknown>[])[0].block_id = e.block_id;
    expect((await bot.action(payload)).status).toBe(200);
    await settle();
  }
  async function settle(): Promise<void> {
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
  }
  const threadTexts = () => calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts).map((c) => String(c.body.text));

  it('starts, walks every gate in order with approvers, resumes with two, and exports a matching timeline', async () => {
    expect((await bot.command('recover Redis outage <!channel>', { user_id: 'UALICE' })).status).toBe(200);
    await waitFor(() => calls.some((c) => c.method === 'chat.postMessage'));
    await settle();
    expect(JSON.stringify(dashboard())).toContain('Recovery: Redis outage <!channel>'); // plain_text header: shown literally, never a mention

    // Freeze: anyone ticks the checklist; a non-approver cannot confirm; an approver can.
    const box = element(ACTION.freezeChecklist);
    const tick = buttonClick(ACTION.freezeChecklist, '', { user: 'UEVE', messageTs: dashboardTs() });
    (tick.actions as Record<string, unknown>[])[0] = {
      type: 'checkboxes',
      action_id: box.action_id,
      block_id: box.block_id,
      selected_options: ['rollouts', 'policies', 'control'].map((value) => ({ value, text: { type: 'mrkdwn', text: value } })),
      action_ts: '1',
    };
    expect((await bot.action(tick)).status).toBe(200);
    await settle();
    await click(ACTION.gateConfirm, 'UEVE');
    await waitFor(() => ephemeral.some((t) => t.includes('Only configured approvers')));
    await click(ACTION.gateConfirm, 'UALICE');

    for (const gate of ['storage', 'services', 'evidence', 'safety'] as const) {
      expect(JSON.stringify(dashboard())).toContain(`gate_actions_${gate}`);
      await click(ACTION.gateConfirm, 'UALICE'); // no checks yet: refused (fail closed)
      await click(ACTION.gateClaim, 'UEVE');
      await click(ACTION.gateRunChecks, 'UEVE');
      await click(ACTION.gateConfirm, 'UALICE');
    }
    expect(ephemeral.filter((t) => /none of its \d+ check\(s\) has run yet/.test(t))).toHaveLength(4);

    // Resume: every item Freeze recorded is unfrozen (ticked) before Resume can be confirmed.
    const unfreeze = element(ACTION.freezeChecklist);
    expect(unfreeze.block_id).toContain('resume');
    const untick = buttonClick(ACTION.freezeChecklist, '', { user: 'UEVE', messageTs: dashboardTs() });
    (untick.actions as Record<string, unknown>[])[0] = {
      type: 'checkboxes',
      action_id: unfreeze.action_id,
      block_id: unfreeze.block_id,
      selected_options: ['rollouts', 'policies', 'control'].map((value) => ({ value, text: { type: 'mrkdwn', text: value } })),
      action_ts: '2',
    };
    expect((await bot.action(untick)).status).toBe(200);
    await settle();

    await click(ACTION.gateRunChecks, 'UEVE');
    await click(ACTION.gateConfirm, 'UALICE');
    await click(ACTION.gateConfirm, 'UALICE');
    await waitFor(() => ephemeral.some((t) => t.includes('already approved')));
    await click(ACTION.gateConfirm, 'UBOB');
    expect(JSON.stringify(dashboard())).toContain('Time to recover');

    const runId = (await state.db.query<{ id: string; status: string }>('SELECT id, status FROM runs')).rows[0];
    expect(runId.status).toBe('resumed');
    const events = await listEvents(state.db, runId.id);
    // The thread holds one reply per logged event (gate_opened shows on the dashboard only).
    const logged = events.filter((e) => e.type !== 'gate_opened');
    expect(threadTexts().length, JSON.stringify({ texts: threadTexts(), types: logged.map((e) => e.type) }, null, 1)).toBe(logged.length);
    expect(events.filter((e) => e.type === 'denied').map((e) => e.actor)).toEqual([
      'UEVE',
      'UALICE',
      'UALICE',
      'UALICE',
      'UALICE',
      'UALICE',
    ]);

    expect((await bot.command('timeline')).status).toBe(200);
    await bot.bot.idle();
    // One message in the channel (not a private reply), with people named and their ids kept.
    const posted = calls.filter((c) => c.method === 'chat.postMessage' && String(c.body.text).startsWith('Timeline for the review'));
    expect(posted).toHaveLength(1);
    expect(posted[0].body.thread_ts).toBeUndefined();
    expect(calls.filter((c) => c.method === 'chat.postEphemeral' && String(c.body.text).includes('# Recovery run'))).toEqual([]);
    await waitFor(() => ephemeral.some((t) => t.includes('Posted the timeline to the channel')));
    const markdown = (JSON.parse(String(posted[0].body.blocks)) as { text?: { text: string } }[]).map((b) => b.text?.text ?? '').join('\n');
    // Inert Markdown (issue 18), then escaped for Slack.
    expect(markdown).toContain('# Recovery run: Redis outage \\&lt;!channel\\&gt;');
    expect(markdown).toMatch(/Time to recover: \d+s/);
    expect(markdown).toContain('Approvers: @Alice (UALICE), @Bob (UBOB)');
    const asked = calls.filter((c) => c.method === 'users.info').length;
    expect(asked).toBe(new Set(calls.filter((c) => c.method === 'users.info').map((c) => c.body.user)).size);
    await bot.command('timeline');
    await bot.bot.idle();
    expect(calls.filter((c) => c.method === 'users.info').length, 'names are cached').toBe(asked);
    for (const e of events) expect(markdown).toContain(e.at.toISOString().replace('.000Z', 'Z').slice(0, 19));
    expect(markdown.match(/^- 20\d\d-/gm)!.length).toBe(events.length);
  });
});
