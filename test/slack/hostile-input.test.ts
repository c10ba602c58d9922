import { randomBytes } from 'node:crypto';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { decodePayload, gateButtonPayload, overrideButtonPayload, reportButtonPayload } from '../../src/blocks/payloads.ts';
import { MAX_COMMAND_TEXT, parseCommandText } from '../../src/commands/parse.ts';
import { UserFacingError } from '../../src/errors.ts';
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

const ALPHABET = ['a', 'Z', ' ', '\t', '\n', '/', '<', '>', '&', '!', '@', '"', "'", '\\', '{', '}', '\u0000', 'é', '😀', '\u202e', 'status', 'recover', 'note'];

function randomText(next: () => number, max: number): string {
  let out = '';
  const len = Math.floor(next() * max);
  for (let i = 0; i < len; i++) out += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return out;
}

const ID_ALPHABET = 'abcXYZ019_-';
const NEAR_GATES = ['freeze', 'storage', 'services', 'evidence', 'safety', 'resume', 'Storage', 'resume ', 'locked', ''];

function idText(next: () => number, max: number): string {
  const len = Math.floor(next() * max);
  let out = '';
  for (let i = 0; i < len; i++) out += next() < 0.02 ? '.' : ID_ALPHABET[Math.floor(next() * ID_ALPHABET.length)];
  return out;
}

/** A real payload with one field changed: the kinds of edits an attacker or a buggy client makes. */
function mutate(next: () => number, value: string): string {
  const ops = [
    () => value.slice(0, Math.floor(next() * value.length)),
    () => value.replace(/"v":1/, `"v":${Math.floor(next() * 5)}`),
    () => value.replace(/"gate":"[a-z]+"/, `"gate":"${randomText(next, 8)}"`),
    () => value.replace(/"runId":"[^"]*"/, `"runId":"${randomText(next, 80)}"`),
    () => value + randomText(next, 5),
    () => JSON.stringify({ ...JSON.parse(value), extra: true }),
    () => value.replace(/[{}]/g, ''),
    // Near the edges of the rules: ids from the allowed alphabet of 0 to 100 characters, gates and near misses.
    () => value.replace(/"(runId|reportId|overrideId)":"[^"]*"/, (_m, key: string) => `"${key}":"${idText(next, 100)}"`),
    () => value.replace(/"gate":"[a-z]+"/, `"gate":"${NEAR_GATES[Math.floor(next() * NEAR_GATES.length)]}"`),
    () => value.replace(/"v":1/, `"v":${['1', '"1"', '1.0', 'true', '2', 'null'][Math.floor(next() * 6)]}`),
  ];
  return ops[Math.floor(next() * ops.length)]();
}

describe('fuzzing the command parser and button payloads (no crash, nothing accepted that is not valid)', () => {
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

  it('accepts a mutated payload exactly when an independent oracle says it is valid, over 10,000 random and mutated values', () => {
    const next = rng(7);
    const valid = [
      JSON.stringify({ v: 1, runId: 'abc123', gate: 'storage' }),
      JSON.stringify({ v: 1, runId: 'abc123', gate: 'evidence', overrideId: 'o1' }),
      JSON.stringify({ v: 1, reportId: 'r1' }),
    ];
    const kinds = [
      { schema: gateButtonPayload, keys: ['v', 'runId', 'gate'] },
      { schema: overrideButtonPayload, keys: ['v', 'runId', 'gate', 'overrideId'] },
      { schema: reportButtonPayload, keys: ['v', 'reportId'] },
    ];
    const counts = { accepted: 0, refused: 0 };
    for (let i = 0; i < 10_000; i++) {
      const raw = i % 2 ? randomText(next, 200) : mutate(next, valid[i % 3]);
      for (const { schema, keys } of kinds) {
        const expected = oracle(raw, keys);
        let accepted: unknown;
        try {
          accepted = decodePayload(schema as typeof gateButtonPayload, raw);
        } catch (err) {
          expect(err).toBeInstanceOf(UserFacingError);
        }
        expect(accepted !== undefined, `${raw} as ${keys.join(',')}`).toBe(expected !== undefined);
        if (expected !== undefined) {
          expect(accepted).toEqual(expected);
          counts.accepted++;
        } else counts.refused++;
      }
    }
    // Both sides of the oracle are exercised, so the comparison above cannot pass vacuously.
    expect(counts.accepted).toBeGreaterThan(100);
    expect(counts.refused).toBeGreaterThan(10_000);
  });
});

/**
 * The payload rules written again without zod: a JSON object with exactly `keys`, v === 1, ids of 1 to 64 characters
 * from [A-Za-z0-9_-], a known gate. Returns the parsed object when valid.
 */
function oracle(raw: string, keys: string[]): Record<string, unknown> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const present = Object.keys(record).sort();
  if (present.join() !== [...keys].sort().join()) return undefined;
  const isId = (x: unknown) => typeof x === 'string' && x.length >= 1 && x.length <= 64 && [...x].every((c) => /[A-Za-z0-9_-]/.test(c));
  const gates = ['freeze', 'storage', 'services', 'evidence', 'safety', 'resume'];
  for (const key of keys) {
    const x = record[key];
    const ok = key === 'v' ? x === 1 : key === 'gate' ? typeof x === 'string' && gates.includes(x) : isId(x);
    if (!ok) return undefined;
  }
  return record;
}

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
