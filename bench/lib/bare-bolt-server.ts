// The reference for ack latency, in a process of its own as the bot is (served-bot.ts): a Bolt app on the same
// receiver that only acks. Prints its port on stdout, then serves until it is killed.
//
// With BARE_BOLT_SAVE_URL, it first saves each request in one INSERT, batched as the bot's inbox batches them
// (src/slack/save-batcher.ts), into the table `saved` of that database: the cheapest save before ack, the floor under
// the bot's own (issue 14 item 8).
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import pg from 'pg';
import { saveBatcher } from '../../src/slack/save-batcher.ts';

const saveUrl = process.env.BARE_BOLT_SAVE_URL;
const pool = saveUrl ? new pg.Pool({ connectionString: saveUrl, max: 2 }) : undefined;
const saveOne = saveBatcher<string>(async (bodies) => {
  await pool?.query('INSERT INTO saved (body) SELECT b::jsonb FROM unnest($1::text[]) AS b', [bodies]);
});
const save = async (body: unknown): Promise<void> => (pool ? saveOne(JSON.stringify(body)) : undefined);

const receiver = new HTTPReceiver({ signingSecret: process.env.BARE_BOLT_SECRET ?? '' });
const app = new App({ token: 'xoxb-bench', receiver, botId: 'B0', botUserId: 'U0BOT' });
app.command('/caracal', async ({ ack, body }) => {
  await save(body);
  await ack();
});
app.action(/.*/, async ({ ack, body }) => {
  await save(body);
  await ack();
});
const server = (await app.start(0)) as { address(): AddressInfo };
process.stdout.write(`${server.address().port}\n`);
process.on('SIGTERM', () => {
  void app
    .stop()
    .then(() => pool?.end())
    .then(() => process.exit(0));
});
