import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../src/blocks/ids.ts';
import { ALL_CHECKS } from '../src/checks/registry.ts';
import type { Db } from '../src/store/db.ts';
import { SENTINELS, startGreenCaracal, type GreenCaracal } from './helpers/green-caracal.ts';
import {
  blocksOf,
  buttonClick,
  captureSlackApi,
  startTestBot,
  testStateDb,
  waitFor,
  type SlackCall,
  type TestBot,
} from './helpers/slack.ts';

const SLACK_SENTINELS = {
  SLACK_BOT_TOKEN: 'xoxb-SENTINEL-bot-31337',
  SLACK_SIGNING_SECRET: 'SENTINEL-signing-4242',
  CARACAL_POSTGRES_PASSWORD: 'SENTINEL-pg-pass-1111',
  CARACAL_REDIS_PASSWORD: 'SENTINEL-redis-pass-2222',
};

describe('secrets never leave the bot', () => {
  let green: GreenCaracal;
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let echo: Server;
  let calls: SlackCall[];

  beforeAll(async () => {
    green = await startGreenCaracal();
    state = await testStateDb();
    // A hostile target: its error pages echo the request headers, Authorization included.
    echo = createServer((req, res) =>
      res
        .writeHead(503, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: false, error: `denied for ${req.headers.authorization ?? ''}`, headers: req.headers })),
    );
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    const caracal = green.file.caracal as Record<string, unknown> & { services: Record<string, string[]> };
    const file = {
      ...green.file,
      caracal: { ...caracal, services: { ...caracal.services, audit: [...caracal.services.audit, echoUrl], coordinator: [echoUrl] } },
    };
    calls = captureSlackApi();
    bot = await startTestBot({ db: state.db, checks: ALL_CHECKS, file, env: { ...green.env, ...SLACK_SENTINELS }, realTargets: true });
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await new Promise<void>((r) => echo.close(() => r()));
    await green.close();
    await state.drop();
  });

  it('no Slack request body and no log line contains any configured secret', async () => {
    const responses: string[] = [];
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b) => {
        responses.push(JSON.stringify(b));
        return true;
      })
      .reply(200, 'ok');
    expect((await bot.command('status')).status).toBe(200);
    await waitFor(() => calls.some((c) => c.method === 'chat.update' && !String(c.body.text).includes('Checking')), 15_000);
    const final = calls.filter((c) => c.method === 'chat.update').at(-1)!;
    const actions = blocksOf(final).find((b) => b.type === 'actions') as { elements: { action_id: string; value: string }[] };
    const details = actions.elements.find((e) => e.action_id === ACTION.statusDetails)!;
    await bot.action(buttonClick(ACTION.statusDetails, details.value, { messageTs: String(final.body.ts) }));
    await waitFor(() => calls.some((c) => c.body.thread_ts) || responses.length > 0, 5000);
    if (responses.length) throw new Error(responses.join());
    const thread = calls
      .filter((c) => c.body.thread_ts)
      .map((c) => c.raw)
      .join('\n');
    // The hostile target's echo did reach the report: the redaction, not luck, keeps the secret out.
    expect(thread).toContain('REDACTED');

    const outgoing = [...calls.map((c) => decodeURIComponent(c.raw.replace(/\+/g, ' '))), ...responses].join('\n');
    const logs = bot.logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of Object.values({ ...SENTINELS, ...SLACK_SENTINELS })) {
      expect(outgoing).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    // The token travels only where it belongs: the Authorization header of Web API calls (not in bodies).
    expect(outgoing).not.toContain('xoxb-SENTINEL');
  }, 30_000);
});
