import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { MAX_COMMAND_TEXT, parseCommandText } from '../../src/commands/parse.ts';
import type { Db } from '../../src/store/db.ts';
import { MAX_REQUEST_BYTES } from '../../src/app.ts';
import { buttonClick, captureSlackApi, signedHeaders, startTestBot, testStateDb, type TestBot } from '../helpers/slack.ts';

/** Deterministic pseudo-random generator, so a failing case can be reproduced from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = [
  'a',
  'Z',
  ' ',
  '\t',
  '\n',
  '/',
  '<',
  '>',
  '&',
  '!',
  '@',
  '"',
  "'",
  '\\',
  '{',
  '}',
  '\u0000',
  'é',
  '😀',
  '\u202e',
  'status',
  'recover',
  'note',
];

function randomText(next: () => number, max: number): string {
  let out = '';
  const len = Math.floor(next() * max);
  for (let i = 0; i < len; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

// The button payloads are fuzzed against an independent oracle in test/blocks/payloads.test.ts.
describe('fuzzing the command parser (no crash, nothing longer than its input)', () => {
  it('parses 10,000 random command texts into a subcommand and arguments without throwing', () => {
    const next = rng(42);
    for (let i = 0; i < 10_000; i++) {
      const text = randomText(next, 300);
      const parsed = parseCommandText(text);
      expect(parsed.subcommand).not.toMatch(/\s/);
      if (text.trim() === '') expect(parsed).toEqual({ subcommand: 'help', args: '' });
      else expect(parsed.subcommand.length + parsed.args.length).toBeLessThanOrEqual(Math.min(text.length, MAX_COMMAND_TEXT));
    }
    expect(parseCommandText('x'.repeat(100_000)).subcommand.length).toBe(MAX_COMMAND_TEXT);
  });
});

describe('hostile requests against the HTTP receiver', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({ db: state.db, checks: [] });
    captureSlackApi();
    nock('https://hooks.slack.com').persist().post(/.*/).reply(200, 'ok');
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  const post = (body: string, headers: Record<string, string>) => fetch(`${bot.url}/slack/events`, { method: 'POST', headers, body });

  it('refuses an oversized body with 413, before signature work', async () => {
    const body = `payload=${'a'.repeat(MAX_REQUEST_BYTES + 10)}`;
    const res = await post(body, { 'content-type': 'application/x-www-form-urlencoded', ...signedHeaders(body) });
    expect(res.status).toBe(413);
  });

  it('refuses wrong content types and unparsable bodies without running anything', async () => {
    const body = 'command=%2Fcaracal&text=status';
    const xml = await post('<x/>', { 'content-type': 'application/xml', ...signedHeaders('<x/>') });
    expect(xml.status).toBeGreaterThanOrEqual(400);
    const charset = await post(body, { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', ...signedHeaders(body) });
    expect(charset.status).toBe(400);
    const unsigned = await post(body, { 'content-type': 'application/x-www-form-urlencoded' });
    expect(unsigned.status).toBe(401);
    expect((await state.db.query('SELECT 1 FROM reports')).rowCount).toBe(0);
  });

  it('acks unknown action ids and garbage payload fields without changing state', async () => {
    const unknown = await bot.action(buttonClick('no_such_action', 'x'));
    expect([200, 404]).toContain(unknown.status);
    for (let i = 0; i < 20; i++) {
      const res = await bot.action(buttonClick(ACTION.gateConfirm, randomBytes(40).toString('base64')));
      expect(res.status).toBe(200);
    }
    await bot.bot.idle();
    expect((await state.db.query('SELECT 1 FROM events')).rowCount).toBe(0);
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });
});
