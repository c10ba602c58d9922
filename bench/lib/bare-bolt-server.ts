// The reference for ack latency, in a process of its own as the bot is (served-bot.ts): a Bolt app on the same
// receiver that only acks. Prints its port on stdout, then serves until it is killed.
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';

const receiver = new HTTPReceiver({ signingSecret: process.env.BARE_BOLT_SECRET ?? '' });
const app = new App({ token: 'xoxb-bench', receiver, botId: 'B0', botUserId: 'U0BOT' });
app.command('/caracal', async ({ ack }) => {
  await ack();
});
app.action(/.*/, async ({ ack }) => {
  await ack();
});
const server = (await app.start(0)) as { address(): AddressInfo };
process.stdout.write(`${server.address().port}\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
