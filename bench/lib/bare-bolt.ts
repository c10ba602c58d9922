// The reference for ack latency: a Bolt app on the same receiver that only acks.
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';

export async function startBareBolt(secret: string): Promise<{ url: string; stop(): Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret: secret });
  const app = new App({ token: 'xoxb-bench', receiver, botId: 'B0', botUserId: 'U0BOT' });
  app.command('/caracal', async ({ ack }) => {
    await ack();
  });
  app.action(/.*/, async ({ ack }) => {
    await ack();
  });
  const server = (await app.start(0)) as { address(): AddressInfo };
  return {
    url: `http://127.0.0.1:${server.address().port}/slack/events`,
    stop: async () => {
      await app.stop();
    },
  };
}
