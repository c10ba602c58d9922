// The one classification of Slack's errors, fed the errors a real @slack/web-api client raises: a platform error,
// a 429, an HTTP error and no answer at all. The kinds are compared with the library's ErrorCode, so a renamed
// kind or a platform error filed under the wrong heading shows here.
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { LogLevel, WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  answeredBySlack,
  channelGone,
  classifySlackError,
  homeRefused,
  mayAnswerLater,
  retryAfterMs,
  slackErrorCode,
} from '../../src/slack/slack-call.ts';
import { closedPort } from '../helpers/faults.ts';

/** Each method name is an answer: `platform.<error>`, `status.<code>`, or `rate.<seconds>`. */
function answer(method: string): { status: number; body: string; headers?: Record<string, string> } {
  const [kind, arg = ''] = method.split('.');
  if (kind === 'platform') return { status: 200, body: JSON.stringify({ ok: false, error: arg }) };
  if (kind === 'rate') return { status: 429, body: JSON.stringify({ ok: false, error: 'ratelimited' }), headers: { 'retry-after': arg } };
  return { status: Number(arg), body: 'upstream trouble' };
}

describe('Slack error classification', () => {
  let server: Server;
  let slack: WebClient;
  const failure = async (method: string, client = slack): Promise<unknown> =>
    client.apiCall(method).then(
      () => undefined,
      (err: unknown) => err,
    );

  beforeAll(async () => {
    server = createServer((req, res) => {
      const a = answer((req.url ?? '').replace(/^\/api\//, ''));
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
    slack = new WebClient('xoxb-test', {
      slackApiUrl: url,
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      logLevel: LogLevel.ERROR,
    });
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('a channel the bot can no longer post in: a channel error that does not pass by itself', async () => {
    for (const code of ['not_in_channel', 'channel_not_found', 'is_archived']) {
      const err = await failure(`platform.${code}`);
      expect([slackErrorCode(err), classifySlackError(err), channelGone(err), answeredBySlack(err), mayAnswerLater(err)]).toEqual([
        code,
        'channel',
        true,
        true,
        false,
      ]);
    }
  });

  it('a refused token: a channel error, and a read-back may answer once it is fixed', async () => {
    const err = await failure('platform.invalid_auth');
    expect([classifySlackError(err), channelGone(err), mayAnswerLater(err)]).toEqual(['channel', false, true]);
  });

  it('one message refused, one message gone, one Home refused', async () => {
    expect(classifySlackError(await failure('platform.msg_too_long'))).toBe('message');
    expect(classifySlackError(await failure('platform.message_not_found'))).toBe('gone');
    expect(homeRefused(await failure('platform.user_not_found'))).toBe(true);
    expect(homeRefused(await failure('platform.not_in_channel'))).toBe(false);
    expect(classifySlackError(await failure('platform.some_new_error'))).toBe('transient');
  });

  it('a 429: rate, with its Retry-After; Slack answered, so nothing was posted', async () => {
    const err = await failure('rate.7');
    expect([classifySlackError(err), retryAfterMs(err), answeredBySlack(err), mayAnswerLater(err)]).toEqual(['rate', 7000, true, true]);
  });

  it("an HTTP error: Slack's 5xx may answer later, a 4xx will not; neither says whether anything was posted", async () => {
    const five = await failure('status.503');
    expect([classifySlackError(five), retryAfterMs(five), answeredBySlack(five), mayAnswerLater(five)]).toEqual([
      'transient',
      undefined,
      false,
      true,
    ]);
    expect(mayAnswerLater(await failure('status.404'))).toBe(false);
  });

  it('no answer at all: transient, may answer later, and the call may have been posted', async () => {
    const nobody = new WebClient('xoxb-test', {
      slackApiUrl: `http://127.0.0.1:${await closedPort()}/api/`,
      retryConfig: { retries: 0 },
      logLevel: LogLevel.ERROR,
    });
    const err = await failure('auth.test', nobody);
    expect([classifySlackError(err), answeredBySlack(err), mayAnswerLater(err)]).toEqual(['transient', false, true]);
  });
});

describe('slackCall', () => {
  /** src files that make Web API calls of their own: the simulator, and the auth.test before the bot starts. */
  const EXEMPT = /^(sandbox\/|slack\/bot-identity\.ts$)/;
  const CALL =
    /\b(?:deps\.)?client(?:\(\))?\.(?:chat|views|users|usergroups|conversations|auth|reactions|pins|files|bots|team|apps)\.[A-Za-z.]+\(/g;

  it('wraps every Web API call the running bot makes, so its failures are counted and classified', () => {
    const root = new URL('../../src/', import.meta.url);
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !EXEMPT.test(f));
    const bare: string[] = [];
    for (const file of files) {
      const text = readFileSync(new URL(file, root), 'utf8');
      for (const m of text.matchAll(CALL)) {
        // Wrapped: the call is the body of the arrow passed to slackCall (or a local `call` bound to it) just before.
        const before = text.slice(Math.max(0, m.index - 160), m.index);
        if (!/(slackCall|\bcall)\([^;]*=>\s*$/.test(before)) bare.push(`${file}: ${m[0]}`);
      }
    }
    expect(files.length).toBeGreaterThan(100);
    expect(bare).toEqual([]);
  });
});
