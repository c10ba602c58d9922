// Fuzzing every button payload the bot decodes, against an oracle that does not use the schemas: valid originals are
// generated, encoded with the real encoder, then damaged. Whatever decodePayload accepts must be exactly what the rules
// below (written again as data, without zod) accept, and deep-equal to the parsed text: nothing coerced, stripped or
// defaulted. An original that comes back untouched must decode to itself.
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  actionButtonPayload,
  alertButtonPayload,
  decodePayload,
  drillButtonPayload,
  encodePayload,
  findingAckPayload,
  gateButtonPayload,
  homePagePayload,
  overrideButtonPayload,
  reportButtonPayload,
  resumeAckPayload,
  symptomButtonPayload,
} from '../../src/blocks/payloads.ts';
import { UserFacingError } from '../../src/errors.ts';

/** Deterministic pseudo-random generator, so a failing case can be reproduced from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
type Next = () => number;
const int = (next: Next, min: number, max: number) => min + Math.floor(next() * (max - min + 1));
const pick = <T>(next: Next, list: readonly T[]): T => list[Math.floor(next() * list.length)];
const chars = (next: Next, alphabet: string, len: number) => Array.from({ length: len }, () => pick(next, [...alphabet])).join('');

// ---- The rules, written out (style anchors §7.12: a small versioned payload, ids only, never a domain object) ----
type Rule = (x: unknown) => boolean;
const isStr = (x: unknown): x is string => typeof x === 'string';
const within =
  (alphabet: string, min: number, max: number): Rule =>
  (x) =>
    isStr(x) && x.length >= min && x.length <= max && [...x].every((c) => alphabet.includes(c));
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const isId = within(ID_ALPHABET, 1, 64);
const oneOf =
  (...values: unknown[]): Rule =>
  (x) =>
    values.includes(x);
const GATE_NAMES = ['freeze', 'storage', 'services', 'evidence', 'safety', 'resume'];
/** A configured environment name: a lower-case letter, then up to 31 lower-case letters, digits or dashes. */
const isEnv: Rule = (x) =>
  isStr(x) && x.length >= 1 && x.length <= 32 && /[a-z]/.test(x[0]) && within('abcdefghijklmnopqrstuvwxyz0123456789-', 1, 32)(x);
const isActionId = within('abcdefghijklmnopqrstuvwxyz_.', 1, 40);
const isAlertName: Rule = (x) =>
  isStr(x) && x.startsWith('Caracal') && within('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 1, 60)(x.slice(7));
const isAlertList: Rule = (x) => Array.isArray(x) && x.length >= 1 && x.length <= 21 && x.every(isAlertName);
const isInt =
  (min: number, max: number): Rule =>
  (x) =>
    typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max;

/** A shape: each key and its rule; a key ending in `?` may be absent. A payload is valid when it matches one shape exactly. */
type Shape = Record<string, Rule>;
interface Kind {
  name: string;
  schema: z.ZodType<unknown>;
  shapes: Shape[];
  make(next: Next): Record<string, unknown>;
}

const anyId = (next: Next) => chars(next, ID_ALPHABET, int(next, 1, 64));
const anyEnv = (next: Next) => chars(next, 'abz', 1) + chars(next, 'abz09-', int(next, 0, 31));
const anyAlerts = (next: Next) => Array.from({ length: int(next, 1, 21) }, () => `Caracal${chars(next, 'AbZz', int(next, 1, 60))}`);

const KINDS: Kind[] = [
  {
    name: 'gate',
    schema: gateButtonPayload,
    shapes: [{ v: oneOf(1), runId: isId, gate: oneOf(...GATE_NAMES) }],
    make: (n) => ({ v: 1, runId: anyId(n), gate: pick(n, GATE_NAMES) }),
  },
  {
    name: 'override',
    schema: overrideButtonPayload,
    shapes: [{ v: oneOf(1), runId: isId, gate: oneOf(...GATE_NAMES), overrideId: isId }],
    make: (n) => ({ v: 1, runId: anyId(n), gate: pick(n, GATE_NAMES), overrideId: anyId(n) }),
  },
  {
    name: 'report',
    schema: reportButtonPayload,
    shapes: [
      { v: oneOf(1), reportId: isId },
      { v: oneOf(2), reportId: isId, env: isEnv },
    ],
    make: (n) => (n() < 0.5 ? { v: 1, reportId: anyId(n) } : { v: 2, reportId: anyId(n), env: anyEnv(n) }),
  },
  {
    name: 'action',
    schema: actionButtonPayload,
    shapes: [{ v: oneOf(1), runId: isId, gate: oneOf(...GATE_NAMES), action: isActionId, 'card?': isId }],
    make: (n) => ({
      v: 1,
      runId: anyId(n),
      gate: pick(n, GATE_NAMES),
      action: chars(n, 'az_.', int(n, 1, 40)),
      ...(n() < 0.5 ? { card: anyId(n) } : {}),
    }),
  },
  {
    name: 'finding-ack',
    schema: findingAckPayload,
    shapes: [{ v: oneOf(1), runId: isId, verificationEventId: isInt(1, Number.MAX_SAFE_INTEGER) }],
    make: (n) => ({ v: 1, runId: anyId(n), verificationEventId: int(n, 1, 2 ** 31) }),
  },
  {
    name: 'symptom',
    schema: symptomButtonPayload,
    shapes: [
      { v: oneOf(1), symptom: oneOf('fail-closed', 'duplicates', 'rollback') },
      { v: oneOf(2), symptom: oneOf('fail-closed', 'duplicates', 'rollback'), env: isEnv },
    ],
    make: (n) => ({ v: 1, symptom: pick(n, ['fail-closed', 'duplicates', 'rollback']), ...(n() < 0.5 ? { v: 2, env: anyEnv(n) } : {}) }),
  },
  {
    name: 'drill',
    schema: drillButtonPayload,
    shapes: [{ v: oneOf(1), runId: isId, marker: oneOf('injected', 'alert_fired', 'recovered') }],
    make: (n) => ({ v: 1, runId: anyId(n), marker: pick(n, ['injected', 'alert_fired', 'recovered']) }),
  },
  {
    name: 'alert',
    schema: alertButtonPayload,
    shapes: [
      { v: oneOf(1), alerts: isAlertList },
      { v: oneOf(2), alerts: isAlertList, env: isEnv },
    ],
    make: (n) => (n() < 0.5 ? { v: 1, alerts: anyAlerts(n) } : { v: 2, alerts: anyAlerts(n), env: anyEnv(n) }),
  },
  {
    name: 'resume-ack',
    schema: resumeAckPayload,
    shapes: [{ v: oneOf(1), runId: isId, alerts: isAlertList }],
    make: (n) => ({ v: 1, runId: anyId(n), alerts: anyAlerts(n) }),
  },
  {
    name: 'home-page',
    schema: homePagePayload,
    shapes: [{ v: oneOf(1), page: isInt(0, 10_000) }],
    make: (n) => ({ v: 1, page: int(n, 0, 10_000) }),
  },
];

/** The oracle: the parsed value when `raw` is a JSON object matching one of the shapes exactly, else undefined. */
function oracle(raw: string, shapes: readonly Shape[]): unknown {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const matches = (shape: Shape) => {
    const rules = Object.entries(shape).map(([k, rule]) => ({ key: k.replace(/\?$/, ''), optional: k.endsWith('?'), rule }));
    if (Object.keys(record).some((k) => !rules.some((r) => r.key === k))) return false;
    return rules.every(({ key, optional, rule }) => (Object.hasOwn(record, key) ? rule(record[key]) : optional));
  };
  return shapes.some(matches) ? record : undefined;
}

// ---- Damage: near the edges of the rules, and plain text edits an attacker or a buggy client makes ----
const EDGE_VALUES: unknown[] = [
  '',
  'a',
  'A'.repeat(64),
  'A'.repeat(65),
  'ab.c',
  'abc ',
  ' abc',
  'é',
  'abc\n',
  'Prod',
  '1abc',
  'a'.repeat(32),
  'a'.repeat(33),
  'a_b',
  '-a',
  'a'.repeat(40),
  'a'.repeat(41),
  'coordinator.requeue',
  'storage',
  'Storage',
  'resume ',
  'locked',
  'rollback',
  'duplicates',
  'Rollback',
  'recovered',
  'prod-eu',
  0,
  1,
  2,
  3,
  -1,
  1.5,
  10_000,
  10_001,
  2 ** 31,
  2 ** 53,
  '1',
  true,
  null,
  [],
  ['CaracalX'],
  ['Caracal'],
  ['caracalX'],
  [`Caracal${'y'.repeat(61)}`],
  Array.from({ length: 21 }, () => 'CaracalA'),
  Array.from({ length: 22 }, () => 'CaracalA'),
  { v: 1 },
];
const TEXT_CHARS = [...'aZ09_-."\'{}[]:, \\\n', '\u0000', 'é', '😀', '\u202e'];

function damage(next: Next, original: Record<string, unknown>, encoded: string): string {
  const keys = Object.keys(original);
  const at = () => int(next, 0, encoded.length);
  const ops: (() => string)[] = [
    () => {
      const i = at();
      return encoded.slice(0, i) + encoded.slice(i + 1);
    },
    () => {
      const i = at();
      return encoded.slice(0, i) + pick(next, TEXT_CHARS) + encoded.slice(i);
    },
    () => {
      const i = at();
      return encoded.slice(0, i) + pick(next, TEXT_CHARS) + encoded.slice(i + 1);
    },
    () => encoded.slice(0, at()),
    () => {
      const i = at();
      const j = at();
      return encoded.slice(0, Math.max(i, j)) + encoded.slice(Math.min(i, j));
    },
    () => JSON.stringify({ ...original, [pick(next, keys)]: pick(next, EDGE_VALUES) }),
    () => JSON.stringify({ ...original, [pick(next, keys)]: pick(next, EDGE_VALUES), [pick(next, keys)]: pick(next, EDGE_VALUES) }),
    () => JSON.stringify({ ...original, [pick(next, ['extra', 'card', 'env', 'v2', '__proto__', 'Gate'])]: pick(next, EDGE_VALUES) }),
    () => JSON.stringify(Object.fromEntries(Object.entries(original).filter(([k]) => k !== pick(next, keys)))),
    () => JSON.stringify(Object.fromEntries(Object.entries(original).map(([k, x]) => [k === pick(next, keys) ? k.toUpperCase() : k, x]))),
    () => JSON.stringify([original]),
    () => chars(next, TEXT_CHARS.join(''), int(next, 0, 60)),
  ];
  return pick(next, ops)();
}

/** The same value written differently (keys reordered, whitespace): it must decode to the original. */
const rewritten = (next: Next, original: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(original).sort(() => next() - 0.5)), null, pick(next, [0, 1, '\t']));

describe('button payloads against an independent oracle', () => {
  it('decodes every generated original to itself, and a damaged one exactly when the written rules accept it (10,000 texts)', () => {
    const next = rng(7);
    const mismatches: string[] = [];
    const counts = new Map(KINDS.map((k) => [k.name, { damagedAccepted: 0, refused: 0 }]));
    for (let i = 0; i < 10_000; i++) {
      {
        const kind = KINDS[i % KINDS.length];
        const original = kind.make(next);
        const encoded = encodePayload(kind.schema, original);
        if (!isDeepStrictEqual(decodePayload(kind.schema, encoded), original))
          mismatches.push(`${kind.name} original ${encoded} did not round-trip`);
        const raw = Math.floor(i / KINDS.length) % 4 === 0 ? rewritten(next, original) : damage(next, original, encoded);
        // Its own schema and one other judge each text: a payload of one kind must not pass for another.
        for (const judge of [kind, pick(next, KINDS)]) {
          const expected = oracle(raw, judge.shapes);
          let accepted: unknown;
          try {
            accepted = decodePayload(judge.schema, raw);
          } catch (err) {
            if (!(err instanceof UserFacingError)) mismatches.push(`${judge.name} threw ${String(err)} on ${raw}`);
          }
          const c = counts.get(judge.name)!;
          if (expected === undefined) c.refused++;
          else if (!isDeepStrictEqual(expected, original)) c.damagedAccepted++;
          if ((accepted === undefined) !== (expected === undefined))
            mismatches.push(`${judge.name} ${accepted === undefined ? 'refused' : 'accepted'} ${raw}`);
          else if (!isDeepStrictEqual(accepted, expected)) mismatches.push(`${judge.name} decoded ${raw} as ${JSON.stringify(accepted)}`);
          if (judge === kind && raw !== encoded && isDeepStrictEqual(expected, original) && !isDeepStrictEqual(accepted, original)) {
            mismatches.push(`${judge.name} did not read ${raw} as the original ${encoded}`);
          }
        }
      }
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
    // Both answers of the oracle are exercised for every kind, and damage that stays within the rules is accepted as
    // the new value it is, so the comparison above cannot pass vacuously.
    for (const [name, c] of counts) {
      expect(c.damagedAccepted, name).toBeGreaterThan(10);
      expect(c.refused, name).toBeGreaterThan(1_000);
    }
  });

  it('the oracle itself refuses what the rules refuse (its own spot checks)', () => {
    const gate = KINDS[0].shapes;
    expect(oracle('{"v":1,"runId":"abc","gate":"storage"}', gate)).toEqual({ v: 1, runId: 'abc', gate: 'storage' });
    for (const bad of [
      '{"v":1,"runId":"abc","gate":"Storage"}',
      `{"v":1,"runId":"${'a'.repeat(65)}","gate":"storage"}`,
      '{"v":1,"runId":"a.c","gate":"storage"}',
      '{"v":"1","runId":"abc","gate":"storage"}',
      '{"v":1,"runId":"abc","gate":"storage","x":1}',
      '{"v":1,"runId":"abc"}',
      '[1]',
      'null',
    ]) {
      expect(oracle(bad, gate), bad).toBeUndefined();
    }
    expect(oracle('{"v":1,"runId":"a","gate":"resume","action":"x.y"}', KINDS[3].shapes)).toBeDefined();
    expect(oracle('{"v":1,"runId":"a","gate":"resume","action":"x.y","card":""}', KINDS[3].shapes)).toBeUndefined();
    expect(oracle('{"v":2,"reportId":"r","env":"prod-eu"}', KINDS[2].shapes)).toBeDefined();
    expect(oracle('{"v":2,"reportId":"r","env":"9prod"}', KINDS[2].shapes)).toBeUndefined();
    expect(oracle('{"v":1,"reportId":"r","env":"prod"}', KINDS[2].shapes)).toBeUndefined();
  });
});
