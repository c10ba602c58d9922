// The sandbox's Web API, called the way the bot calls it (a real WebClient with slackApiUrl), answers like Slack:
// Slack's error codes for invalid calls, Slack's shapes for valid ones.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxSlack } from '../../../src/sandbox/slack/server.ts';
import { statusReportMessage } from '../../../src/blocks/status-report.ts';
import { BOT_TOKEN, client, sandbox, section, slackError } from './helpers.ts';

let s: SandboxSlack;
let clock = Date.now();
beforeEach(async () => {
  clock = Date.now();
  s = await sandbox({ now: () => clock });
});
afterEach(async () => s.close());

const blocks = (n: number) => Array.from({ length: n }, (_, i) => section(`block ${i}`));
const modal = (n = 1) => ({ type: 'modal' as const, title: { type: 'plain_text' as const, text: 'Test' }, blocks: blocks(n) as never[] });

describe('Web API emulation: Slack errors', () => {
  it('answers an unknown method with HTTP 404 unknown_method', async () => {
    const res = await fetch(`${s.apiUrl}chat.postMessag`, { method: 'POST', headers: { authorization: `Bearer ${BOT_TOKEN}` } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: 'unknown_method' });
  });

  it('refuses a wrong token with invalid_auth and a missing one with not_authed', async () => {
    expect(await slackError(client(s, 'xoxb-wrong').chat.postMessage({ channel: 'C0INCIDENT', text: 'hi' }))).toBe('invalid_auth');
    const res = await fetch(`${s.apiUrl}auth.test`, { method: 'POST' });
    expect(await res.json()).toEqual({ ok: false, error: 'not_authed' });
  });

  it('answers an unknown channel with channel_not_found', async () => {
    expect(await slackError(client(s).chat.postMessage({ channel: 'C0NOPE', text: 'hi' }))).toBe('channel_not_found');
    expect(await slackError(client(s).conversations.info({ channel: 'C0NOPE' }))).toBe('channel_not_found');
  });

  it('refuses 51 blocks in a message with invalid_blocks (50 are fine)', async () => {
    expect(await slackError(client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'x', blocks: blocks(51) as never[] }))).toBe(
      'invalid_blocks',
    );
    await expect(client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'x', blocks: blocks(50) as never[] })).resolves.toMatchObject({
      ok: true,
    });
  });

  it('refuses section text over 3000 characters and a header over 150, naming the field like Slack', async () => {
    const res = await fetch(`${s.apiUrl}chat.postMessage`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BOT_TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ channel: 'C0INCIDENT', blocks: JSON.stringify([section('a'.repeat(3001))]) }).toString(),
    });
    expect(await res.json()).toMatchObject({
      ok: false,
      error: 'invalid_blocks',
      errors: ['must be less than 3001 characters [json-pointer:/blocks/0/text/text]'],
    });
    const header = { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } };
    expect(await slackError(client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'x', blocks: [header] as never[] }))).toBe(
      'invalid_blocks',
    );
    await expect(
      client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'x', blocks: [section('a'.repeat(3000))] as never[] }),
    ).resolves.toMatchObject({ ok: true });
  });

  it('refuses text over 40000 characters with msg_too_long, and no text and no blocks with no_text', async () => {
    expect(await slackError(client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'a'.repeat(40_001) }))).toBe('msg_too_long');
    expect(await slackError(client(s).chat.postMessage({ channel: 'C0INCIDENT', text: '' }))).toBe('no_text');
  });

  it('answers chat.update of an unknown ts with message_not_found', async () => {
    expect(await slackError(client(s).chat.update({ channel: 'C0INCIDENT', ts: '1764320000.000001', text: 'x' }))).toBe(
      'message_not_found',
    );
  });

  it('opens a modal only with a trigger_id issued less than 3 s ago, once', async () => {
    expect(await slackError(client(s).views.open({ trigger_id: '1.2.made-up', view: modal() }))).toBe('invalid_trigger_id');
    const late = s.issueTrigger('U0ALICE');
    clock += 3001;
    expect(await slackError(client(s).views.open({ trigger_id: late, view: modal() }))).toBe('expired_trigger_id');
    const fresh = s.issueTrigger('U0BOB');
    const opened = await client(s).views.open({ trigger_id: fresh, view: modal() });
    expect(opened.view).toMatchObject({ type: 'modal', title: { text: 'Test' }, state: { values: {} } });
    expect(s.workspace.modalFor('U0BOB')?.id).toBe(opened.view?.id);
    expect(s.workspace.modalFor('U0ALICE')).toBeUndefined();
    expect(await slackError(client(s).views.open({ trigger_id: fresh, view: modal() }))).toBe('trigger_exchanged');
  });

  it('refuses more than 100 blocks in a modal', async () => {
    expect(await slackError(client(s).views.open({ trigger_id: s.issueTrigger('U0ALICE'), view: modal(101) }))).toBe('invalid_blocks');
    await expect(client(s).views.open({ trigger_id: s.issueTrigger('U0ALICE'), view: modal(100) })).resolves.toMatchObject({ ok: true });
  });
});

describe('Web API emulation: valid calls', () => {
  it('posts, updates in place, replies in a thread and sends an ephemeral only its user sees', async () => {
    const c = client(s);
    const posted = await c.chat.postMessage({ channel: 'C0INCIDENT', text: 'first', blocks: [section('*first*')] as never[] });
    expect(posted).toMatchObject({ ok: true, channel: 'C0INCIDENT', message: { text: 'first', bot_id: 'B0CARACAL', type: 'message' } });
    const ts = posted.ts!;
    const updated = await c.chat.update({ channel: 'C0INCIDENT', ts, text: 'second' });
    expect(updated).toMatchObject({ ok: true, channel: 'C0INCIDENT', ts, text: 'second' });
    expect(updated.message?.blocks).toHaveLength(1); // omitted blocks are kept, like Slack
    const reply = await c.chat.postMessage({ channel: 'C0INCIDENT', thread_ts: ts, text: 'in the thread' });
    expect(reply.message).toMatchObject({ thread_ts: ts });
    expect(await c.chat.postEphemeral({ channel: 'C0INCIDENT', user: 'U0BOB', text: 'just for bob' })).toMatchObject({
      ok: true,
      message_ts: expect.any(String),
    });

    type Shown = { messages: { replies: unknown[] }[]; ephemerals: unknown[] };
    const state = async (user: string) => (await (await fetch(`${s.url}/sandbox/state?user=${user}&channel=C0INCIDENT`)).json()) as Shown;
    const bob = await state('U0BOB');
    expect(bob.messages).toHaveLength(1);
    expect(bob.messages[0]).toMatchObject({
      ts,
      text: 'second',
      edited: true,
      isBot: true,
      replies: [{ text: 'in the thread', threadTs: ts }],
    });
    expect(bob.ephemerals).toMatchObject([{ text: 'just for bob', ephemeral: true }]);
    const alice = await state('U0ALICE');
    expect(alice.messages[0].replies).toHaveLength(1);
    expect(alice.ephemerals).toEqual([]);
  });

  it('shows a reply sent with reply_broadcast in the thread and in the channel, like Slack', async () => {
    const c = client(s);
    const parent = await c.chat.postMessage({ channel: 'C0INCIDENT', text: 'dashboard' });
    const reply = await c.chat.postMessage({ channel: 'C0INCIDENT', thread_ts: parent.ts!, text: 'still active?', reply_broadcast: true });
    expect(reply.message).toMatchObject({ thread_ts: parent.ts, subtype: 'thread_broadcast' });
    await c.chat.postMessage({ channel: 'C0INCIDENT', thread_ts: parent.ts!, text: 'thread only' });
    type Shown = { messages: { text: string; replies: { text: string }[] }[] };
    const shown = (await (await fetch(`${s.url}/sandbox/state?user=U0BOB&channel=C0INCIDENT`)).json()) as Shown;
    const top = shown.messages.map((m) => m.text);
    expect(top).toContain('still active?');
    expect(top).not.toContain('thread only');
    expect(shown.messages.find((m) => m.text === 'dashboard')!.replies.map((r) => r.text)).toEqual(['still active?', 'thread only']);
  });

  it("accepts the bot's real status report and gives every block a block_id", async () => {
    const msg = statusReportMessage({
      reportId: 'r1',
      requestedBy: 'U0ALICE',
      startedAt: '2026-11-28T12:00:00.000Z',
      planned: [{ id: 'a.b', title: 'A' }],
      results: [],
      sandbox: true,
    });
    const posted = await client(s).chat.postMessage({ channel: 'C0INCIDENT', text: msg.text, blocks: msg.blocks });
    expect((posted.message?.blocks ?? []).every((b) => typeof b.block_id === 'string')).toBe(true);
  });

  it("answers auth.test, conversations.info and usergroups.users.list with Slack's shapes", async () => {
    const c = client(s);
    expect(await c.auth.test()).toMatchObject({ ok: true, user_id: 'U0CARACAL', bot_id: 'B0CARACAL', team_id: 'T0SANDBOX' });
    expect(await c.conversations.info({ channel: 'C0INCIDENT' })).toMatchObject({
      ok: true,
      channel: { id: 'C0INCIDENT', name: 'incident', is_member: true },
    });
    expect(await c.usergroups.users.list({ usergroup: 'S0APPROVERS' })).toMatchObject({ ok: true, users: ['U0ALICE', 'U0BOB'] });
    expect(await slackError(c.usergroups.users.list({ usergroup: 'S0NOPE' }))).toBe('no_such_subteam');
  });

  it('stores a published App Home view', async () => {
    const res = await client(s).views.publish({ user_id: 'U0EVE', view: { type: 'home', blocks: [section('home')] as never[] } });
    expect(res.view).toMatchObject({ type: 'home' });
    expect(s.workspace.homeFor('U0EVE')?.view.blocks).toHaveLength(1);
  });
});
