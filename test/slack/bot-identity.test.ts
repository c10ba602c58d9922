// The production bot learns its own bot id from auth.test before it serves: the read-backs then trust only its own
// messages (issue 18 item 9). A token that auth.test refuses stops the start.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SANDBOX_BOT } from '../../src/sandbox/slack/people.ts';
import type { SandboxSlack } from '../../src/sandbox/slack/server.ts';
import { resolveBotIdentity } from '../../src/slack/bot-identity.ts';
import { BOT_TOKEN, client, sandbox } from '../sandbox/slack/helpers.ts';

let s: SandboxSlack;
beforeEach(async () => {
  s = await sandbox({});
});
afterEach(async () => s.close());

describe('resolveBotIdentity', () => {
  it("answers the bot id and bot user of the token's bot", async () => {
    expect(await resolveBotIdentity(client(s, BOT_TOKEN))).toEqual({ botId: SANDBOX_BOT.botId, botUserId: SANDBOX_BOT.botUserId });
  });

  it('fails on a token Slack refuses', async () => {
    await expect(resolveBotIdentity(client(s, 'xoxb-wrong'))).rejects.toThrow(/invalid_auth/);
  });

  it('fails when auth.test names no bot (a user token)', async () => {
    const userToken = { auth: { test: () => Promise.resolve({ ok: true, user_id: 'U0PERSON' }) } } as unknown as Parameters<
      typeof resolveBotIdentity
    >[0];
    await expect(resolveBotIdentity(userToken)).rejects.toThrow(/did not name a bot/);
  });
});
