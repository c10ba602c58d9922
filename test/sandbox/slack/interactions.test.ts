// The sandbox's interactions reach a real Bolt app through its HTTPReceiver (signature verified), with Slack's
// payload shapes, and the answers come back the way Slack applies them.
import {
  App,
  HTTPReceiver,
  type BlockAction,
  type ButtonAction,
  type CheckboxesAction,
  type MessageShortcut,
  type SlashCommand,
} from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxSlack } from '../../../src/sandbox/slack/server.ts';
import { BOT_TOKEN, client, quietLogger, sandbox, SIGNING_SECRET, waitFor } from './helpers.ts';

let s: SandboxSlack;
let app: App;
let commands: SlashCommand[] = [];
let clicks: BlockAction[] = [];
let shortcuts: MessageShortcut[] = [];
let botUrl = '';

beforeAll(async () => {
  s = await sandbox();
  app = new App({
    token: BOT_TOKEN,
    receiver: new HTTPReceiver({ signingSecret: SIGNING_SECRET, logger: quietLogger }),
    botId: 'B0CARACAL',
    botUserId: 'U0CARACAL',
    logger: quietLogger,
    clientOptions: { slackApiUrl: s.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command('/caracal', async ({ command, ack, respond, client: web }) => {
    commands.push(command);
    if (command.text === 'help') return ack({ response_type: 'ephemeral', text: 'Usage: `/caracal status`' });
    if (command.text === 'plain') return ack('a plain answer');
    await ack();
    if (command.text === 'modal') {
      await web.views.open({
        trigger_id: command.trigger_id,
        view: {
          type: 'modal',
          callback_id: 'reason_modal',
          title: { type: 'plain_text', text: 'Reason' },
          submit: { type: 'plain_text', text: 'Send' },
          blocks: [
            {
              type: 'input',
              block_id: 'reason',
              label: { type: 'plain_text', text: 'Why?' },
              element: { type: 'plain_text_input', action_id: 'reason_input', multiline: true, min_length: 3 },
            },
          ],
        },
      });
    } else {
      await respond({ text: `later: ${command.text}` });
    }
  });
  app.action<BlockAction<ButtonAction>>('approve', async ({ ack, body, respond }) => {
    clicks.push(body);
    await ack();
    await respond({ replace_original: true, text: `approved by <@${body.user.id}>` });
  });
  app.action<BlockAction<CheckboxesAction>>('tick', async ({ ack, body }) => {
    clicks.push(body);
    await ack();
  });
  app.view('reason_modal', async ({ ack, view }) => {
    const reason = view.state.values.reason?.reason_input?.value ?? '';
    await (reason === 'vague' ? ack({ response_action: 'errors', errors: { reason: 'Say more.' } }) : ack());
  });
  app.shortcut<MessageShortcut>({ callback_id: 'add_to_incident_log', type: 'message_action' }, async ({ ack, shortcut, respond }) => {
    shortcuts.push(shortcut);
    await ack();
    await respond({ text: `noted: ${shortcut.message.text ?? ''}` });
  });
  const server = (await app.start(0)) as Server;
  botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.setBotUrl(botUrl);
});
afterAll(async () => {
  await app.stop();
  await s.close();
});
beforeEach(() => {
  commands = [];
  clicks = [];
  shortcuts = [];
});

const texts = (user: string) => s.workspace.ephemeralsFor(user, 'C0INCIDENT').map((e) => e.text);

describe('slash commands', () => {
  it("signs a command Bolt accepts, with Slack's fields, and shows its ack body to that user only", async () => {
    const ack = await s.interact.command('U0ALICE', 'C0INCIDENT', '/caracal help');
    expect(ack).toMatchObject({ sent: true, status: 200 });
    expect(commands[0]).toMatchObject({
      command: '/caracal',
      text: 'help',
      user_id: 'U0ALICE',
      user_name: 'alice',
      channel_id: 'C0INCIDENT',
      team_id: 'T0SANDBOX',
    });
    expect(commands[0].response_url.startsWith(`${s.url}/response/`)).toBe(true);
    expect(texts('U0ALICE')).toContain('Usage: `/caracal status`');
    expect(texts('U0BOB')).not.toContain('Usage: `/caracal status`');
    await s.interact.command('U0BOB', 'C0INCIDENT', 'plain');
    expect(texts('U0BOB')).toContain('a plain answer');
  });

  it('delivers respond() through the response_url as an ephemeral, and the URL dies after 5 uses', async () => {
    await s.interact.command('U0EVE', 'C0INCIDENT', '/caracal status');
    await waitFor(() => texts('U0EVE').includes('later: status'));
    const url = commands[0].response_url;
    const post = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'again' }) });
    for (let i = 2; i <= 5; i++) expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(404);
    expect(texts('U0EVE').filter((t) => t === 'again')).toHaveLength(4);
  });

  it('tells the person when the bot refuses the request (a wrong signing secret is rejected by Bolt)', async () => {
    const other = await sandbox({ signingSecret: 'not-the-bot-secret', botUrl });
    try {
      const ack = await other.interact.command('U0ALICE', 'C0INCIDENT', '/caracal help');
      expect(ack).toMatchObject({ sent: true, status: 401, error: 'dispatch_failed' });
      expect(other.workspace.ephemeralsFor('U0ALICE')[0]).toMatchObject({
        system: true,
        text: '/caracal failed with the error "dispatch_failed"',
      });
    } finally {
      await other.close();
    }
  });
});

describe('block actions', () => {
  it('sends a button click like Slack and applies respond({replace_original})', async () => {
    const posted = await client(s).chat.postMessage({
      channel: 'C0INCIDENT',
      text: 'Approve?',
      blocks: [
        {
          type: 'actions',
          block_id: 'req_1',
          elements: [
            { type: 'button', action_id: 'approve', value: '{"id":1}', style: 'primary', text: { type: 'plain_text', text: 'Approve' } },
          ],
        },
      ],
    });
    const ack = await s.interact.click('U0BOB', 'C0INCIDENT', posted.ts!, 'approve');
    expect(ack.status).toBe(200);
    expect(clicks[0]).toMatchObject({
      type: 'block_actions',
      user: { id: 'U0BOB' },
      channel: { id: 'C0INCIDENT' },
      container: { type: 'message', message_ts: posted.ts, channel_id: 'C0INCIDENT', is_ephemeral: false },
      message: { ts: posted.ts, text: 'Approve?' },
      actions: [{ type: 'button', action_id: 'approve', block_id: 'req_1', value: '{"id":1}' }],
    });
    expect(clicks[0].trigger_id).toMatch(/^\d+\.\d+\.[0-9a-f]+$/);
    await waitFor(() => s.workspace.message('C0INCIDENT', posted.ts!)?.text === 'approved by <@U0BOB>');
  });

  it('sends a click on an ephemeral message without its body, and respond() replaces that ephemeral', async () => {
    const blocks = [
      { type: 'actions', elements: [{ type: 'button', action_id: 'approve', text: { type: 'plain_text', text: 'Run these checks' } }] },
    ];
    const { message_ts: ts } = await client(s).chat.postEphemeral({ channel: 'C0INCIDENT', user: 'U0EVE', text: 'Troubleshoot', blocks });
    expect(await s.interact.click('U0BOB', 'C0INCIDENT', ts!, 'approve')).toMatchObject({ sent: false, error: 'message_not_found' }); // not Bob's
    await s.interact.click('U0EVE', 'C0INCIDENT', ts!, 'approve');
    expect(clicks[0]).toMatchObject({ container: { is_ephemeral: true, message_ts: ts }, channel: { id: 'C0INCIDENT' } });
    expect(clicks[0].message).toBeUndefined();
    await waitFor(() => s.workspace.ephemeral(ts!)?.text === 'approved by <@U0EVE>');
  });

  it('sends the full checkbox selection', async () => {
    const posted = await client(s).chat.postMessage({
      channel: 'C0INCIDENT',
      text: 'Checklist',
      blocks: [
        {
          type: 'section',
          block_id: 'freeze',
          text: { type: 'mrkdwn', text: 'Freeze' },
          accessory: {
            type: 'checkboxes',
            action_id: 'tick',
            options: ['a', 'b', 'c'].map((v) => ({ text: { type: 'mrkdwn', text: v.toUpperCase() }, value: v })),
          },
        },
      ],
    });
    await s.interact.click('U0EVE', 'C0INCIDENT', posted.ts!, 'tick', { selected: ['a', 'c'] });
    const action = clicks[0].actions[0] as unknown as CheckboxesAction;
    expect(action.selected_options.map((o) => o.value)).toEqual(['a', 'c']);
    expect(clicks[0].state?.values.freeze?.tick).toMatchObject({ type: 'checkboxes' });
  });
});

describe('modals and shortcuts', () => {
  it("opens a modal with the command's trigger_id, shows response_action errors, closes on an empty ack", async () => {
    await s.interact.command('U0ALICE', 'C0INCIDENT', 'modal');
    await waitFor(() => s.workspace.modalFor('U0ALICE') !== undefined);
    const viewId = s.workspace.modalFor('U0ALICE')!.id;
    expect(await s.interact.submitView('U0ALICE', viewId, { reason: { reason_input: '' } })).toMatchObject({
      sent: false,
      error: 'invalid_input',
    });
    expect(s.workspace.modalFor('U0ALICE')?.errors.reason).toMatch(/required/);
    expect(await s.interact.submitView('U0ALICE', viewId, { reason: { reason_input: 'vague' } })).toMatchObject({
      sent: true,
      status: 200,
    });
    expect(s.workspace.modalFor('U0ALICE')?.errors).toEqual({ reason: 'Say more.' });
    await s.interact.submitView('U0ALICE', viewId, { reason: { reason_input: 'the replica is healthy' } });
    expect(s.workspace.modalFor('U0ALICE')).toBeUndefined();
  });

  it('sends a message shortcut with the message and a working response_url', async () => {
    const posted = await client(s).chat.postMessage({ channel: 'C0INCIDENT', text: 'Redis is back' });
    await s.interact.shortcut('U0BOB', 'C0INCIDENT', posted.ts!, 'add_to_incident_log');
    expect(shortcuts[0]).toMatchObject({
      type: 'message_action',
      callback_id: 'add_to_incident_log',
      channel: { id: 'C0INCIDENT' },
      message: { ts: posted.ts, text: 'Redis is back' },
    });
    await waitFor(() => texts('U0BOB').includes('noted: Redis is back'));
  });
});
