import nock from 'nock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ACTION, BLOCK, ELEMENT, VIEW } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import {
  addToLogShortcut,
  buttonClick,
  captureSlackApi,
  runClick,
  startTestBot,
  testStateDb,
  type SlackCall,
  type TestBot,
} from '../helpers/slack.ts';

const APPROVERS = { recovery: { approvers: { users: ['UALICE', 'UBOB'], userGroups: ['SONCALL'] } } };

describe('recovery rules enforced on the server, through signed requests', () => {
  let state: { db: Db; drop(): Promise<void> };
  let a: TestBot;
  let b: TestBot;
  let calls: SlackCall[];
  const ephemeral: { text: string; user?: string }[] = [];
  let channel = 0;

  beforeAll(async () => {
    state = await testStateDb();
    // Two app instances (replicas) sharing one state database.
    a = await startTestBot({ db: state.db, checks: [], file: APPROVERS });
    b = await startTestBot({ db: state.db, checks: [], file: APPROVERS });
  });
  afterAll(async () => {
    await a.stop();
    await b.stop();
    await state.drop();
  });
  afterEach(() => nock.cleanAll());

  function capture(): void {
    ephemeral.length = 0;
    calls = captureSlackApi((c) => (c.method === 'usergroups.users.list' ? [200, { ok: true, users: ['UGROUP'] }] : undefined));
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (body: { text?: string }) => {
        ephemeral.push({ text: String(body.text) });
        return true;
      })
      .reply(200, 'ok');
  }
  async function newRun(): Promise<{ runId: string; channelId: string }> {
    const channelId = `CRULE${++channel}`;
    await a.command('recover rules', { channel_id: channelId, user_id: 'UALICE' });
    await a.bot.idle();
    return { runId: (await findRunId(state.db, channelId, 'active'))!, channelId };
  }
  /** A click from the run's own channel and dashboard (the run id is read from the payload when it parses). */
  async function click(bot: TestBot, actionId: string, value: string, user: string, extra: Record<string, unknown> = {}) {
    const runId = (() => {
      try {
        return (JSON.parse(value) as { runId?: unknown }).runId;
      } catch {
        return undefined;
      }
    })();
    const known = typeof runId === 'string' && (await state.db.query('SELECT 1 FROM runs WHERE id = $1', [runId])).rowCount === 1;
    const payload = {
      ...(known ? await runClick(state.db, runId, actionId, value, { user }) : buttonClick(actionId, value, { user })),
      ...extra,
    };
    expect((await bot.action(payload)).status).toBe(200);
  }
  async function settle(): Promise<void> {
    await Promise.all([a.bot.idle(), b.bot.idle()]);
  }
  const freezeValue = (runId: string) => encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
  async function tickAll(runId: string): Promise<void> {
    const block_id = `gate_freeze|v1|${freezeValue(runId)}`;
    const tick = await runClick(state.db, runId, ACTION.freezeChecklist, '', { user: 'UEVE' });
    (tick.actions as unknown[])[0] = {
      type: 'checkboxes',
      action_id: ACTION.freezeChecklist,
      block_id,
      action_ts: '1',
      selected_options: ['rollouts', 'policies', 'control'].map((value) => ({ value, text: { type: 'mrkdwn', text: value } })),
    };
    await a.action(tick);
    await settle();
  }

  it('50 simultaneous Confirm clicks over two replicas: one transition, one log entry, the rest told who confirmed', async () => {
    capture();
    const { runId } = await newRun();
    await tickAll(runId);
    const value = freezeValue(runId);
    await Promise.all(Array.from({ length: 50 }, (_, i) => click(i % 2 ? a : b, ACTION.gateConfirm, value, i % 3 ? 'UALICE' : 'UBOB')));
    await settle();
    await Promise.all([a.bot.flushDeliveries(), b.bot.flushDeliveries()]);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'gate_confirmed')).toHaveLength(1);
    const confirmEvent = events.find((e) => e.type === 'gate_confirmed')!;
    const entries = calls.filter((c) => c.method === 'chat.postMessage' && c.body.thread_ts && String(c.body.text).includes('confirmed'));
    expect(entries.map((c) => String(c.body.text))).toEqual([expect.stringContaining('confirmed')]);
    expect(ephemeral).toHaveLength(49);
    expect([...new Set(ephemeral.map((e) => e.text))]).toEqual([expect.stringContaining(`already confirmed by <@${confirmEvent.actor}>`)]);
  });

  it('Override: the modal needs a reason; the requester cannot approve it; a second approver can', async () => {
    capture();
    const { runId } = await newRun();
    await tickAll(runId);
    await click(a, ACTION.gateConfirm, freezeValue(runId), 'UALICE');
    await settle();
    const storage = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'storage' });
    await click(a, ACTION.gateOverride, storage, 'UEVE');
    await settle();
    expect(ephemeral.at(-1)!.text).toContain('Only configured approvers');
    await click(a, ACTION.gateOverride, storage, 'UALICE');
    await settle();
    const opened = calls.find((c) => c.method === 'views.open')!;
    const view = JSON.parse(String(opened.body.view)) as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe(VIEW.overrideModal);
    const submit = (reason: string, user: string) =>
      a.action({
        type: 'view_submission',
        team: { id: 'T0TEST' },
        user: { id: user, name: 'x', team_id: 'T0TEST' },
        api_app_id: 'A0TEST',
        token: 'x',
        trigger_id: '1.2.3',
        view: {
          id: 'V1',
          type: 'modal',
          callback_id: VIEW.overrideModal,
          private_metadata: view.private_metadata,
          state: { values: { [BLOCK.overrideReason]: { [ELEMENT.overrideReasonInput]: { type: 'plain_text_input', value: reason } } } },
        },
      });
    const short = await submit('too short', 'UALICE');
    expect(await short.json()).toMatchObject({ response_action: 'errors' });
    const ok = await submit('Redis is back; the DLQ check is broken by the known bug #12', 'UALICE');
    expect(ok.status).toBe(200);
    await settle();
    let run = (await listEvents(state.db, runId)).map((e) => e.type);
    expect(run).toContain('override_requested');
    const pending = (
      await state.db.query<{ id: string }>(`SELECT id FROM approvals WHERE run_id = $1 AND kind = 'override' AND status = 'pending'`, [
        runId,
      ])
    ).rows[0];
    const ov = JSON.stringify({ v: 1, runId, gate: 'storage', overrideId: pending.id });
    await click(a, ACTION.overrideApprove, ov, 'UALICE');
    await settle();
    expect(ephemeral.at(-1)!.text).toContain('cannot approve your own override');
    await click(b, ACTION.overrideApprove, ov, 'UGROUP'); // an approver through the user group
    await settle();
    run = (await listEvents(state.db, runId)).map((e) => e.type);
    expect(run).toContain('override_approved');
    const gate = (await state.db.query<{ status: string }>(`SELECT status FROM gates WHERE run_id = $1 AND gate = 'storage'`, [runId]))
      .rows[0];
    expect(gate.status).toBe('overridden');
    expect(calls.some((c) => c.method === 'usergroups.users.list' && c.body.usergroup === 'SONCALL')).toBe(true);
  });

  it('tampered and old-version button payloads change nothing', async () => {
    capture();
    const { runId } = await newRun();
    await tickAll(runId);
    const before = (await listEvents(state.db, runId)).length;
    for (const value of [
      JSON.stringify({ v: 2, runId, gate: 'freeze' }),
      JSON.stringify({ v: 1, runId, gate: 'nope' }),
      `${freezeValue(runId)}x`,
      JSON.stringify({ v: 1, runId: "x'; DROP TABLE runs;--", gate: 'freeze' }),
    ]) {
      await click(a, ACTION.gateConfirm, value, 'UALICE');
    }
    await settle();
    expect(ephemeral.filter((e) => e.text.includes('no longer valid'))).toHaveLength(4);
    expect((await listEvents(state.db, runId)).length).toBe(before);
  });

  it('the "Add to incident log" shortcut and /caracal note append notes; without a run they say how to start one', async () => {
    capture();
    const { runId, channelId } = await newRun();
    const shortcut = addToLogShortcut(channelId, { ts: '1764320000.5', text: 'restarted gateway-0 <!channel>' });
    expect((await a.action(shortcut)).status).toBe(200);
    await a.command('note failover done', { channel_id: channelId });
    await settle();
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note');
    expect(notes.map((n) => n.data.text)).toEqual(['restarted gateway-0 <!channel>', 'failover done']);
    expect(notes[0].data.from).toBe('UDBA');
    // Either replica may hold this run's delivery lease, and a pass is a bounded batch: deliver until the entry is out.
    const thread = async () => {
      await Promise.all([a.bot.flushDeliveries(), b.bot.flushDeliveries()]);
      return calls
        .filter((c) => c.body.thread_ts)
        .map((c) => String(c.body.text))
        .join('\n');
    };
    await expect.poll(thread, { timeout: 20_000, interval: 100 }).toContain('restarted gateway-0 &lt;!channel&gt;');
    const posted = await thread();
    expect(posted).not.toContain('<!channel>');
    await a.command('note nobody home', { channel_id: 'CEMPTY' });
    await settle();
    expect(ephemeral.at(-1)!.text).toContain('/caracal recover');
  });

  it('never cuts a long note: 3,000 and 40,000 characters become numbered entries that hold every character', async () => {
    capture();
    const { runId, channelId } = await newRun();
    const words = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}${i}`).join(' ');
    const medium = words(620, 'm'); // about 3,000 characters
    expect(medium.length).toBeGreaterThan(2900);
    await a.command(`note ${medium}`, { channel_id: channelId });
    await settle();
    expect(ephemeral.at(-1)!.text).toContain('Added to the incident log as 2 entries');
    const long = words(7000, 'w').slice(0, 40_000);
    expect(long.length).toBe(40_000);
    const shortcut = addToLogShortcut(channelId, { ts: '1764320000.6', text: long });
    expect((await a.action(shortcut)).status).toBe(200);
    await settle();
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note').map((n) => n.data);
    const strip = (t: unknown) => String(t).replace(/^\(\d+\/\d+\) /, '');
    const firstNote = notes.filter((n) => n.from === undefined);
    expect(firstNote.map((n) => n.text).every((t) => String(t).length <= 2500)).toBe(true);
    expect(firstNote.map((n) => strip(n.text)).join(' ')).toBe(medium);
    expect(firstNote.map((n) => [n.part, n.parts])).toEqual([
      [1, 2],
      [2, 2],
    ]);
    const fromShortcut = notes.filter((n) => n.from === 'UDBA');
    expect(fromShortcut.length).toBeGreaterThanOrEqual(16);
    expect(fromShortcut.map((n) => strip(n.text)).join(' ')).toBe(long.trim());
    expect(fromShortcut.every((n) => String(n.text).length <= 2500)).toBe(true);
    expect(ephemeral.at(-1)!.text).toContain(`as ${fromShortcut.length} entries`);
  });
});
