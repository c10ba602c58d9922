import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, splitText, truncate } from '../../src/blocks/mrkdwn.ts';
import { decodePayload, encodePayload, reportButtonPayload } from '../../src/blocks/payloads.ts';
import { UserFacingError } from '../../src/errors.ts';

describe('mrkdwn helpers', () => {
  it('escapes only &, < and >', () => {
    expect(escapeMrkdwn('a & b <!channel> *bold* _i_')).toBe('a &amp; b &lt;!channel&gt; *bold* _i_');
  });

  it('splits long text without losing characters or breaking escapes', () => {
    const text = escapeMrkdwn(Array.from({ length: 800 }, (_, i) => `line ${i} <x> & y`).join('\n'));
    const parts = splitText(text, 3000);
    expect(parts.every((p) => p.length <= 3000)).toBe(true);
    expect(parts.join('\n').replace(/\n/g, '')).toBe(text.replace(/\n/g, ''));
    for (const p of parts) expect(p).not.toMatch(/&[a-z]{0,3}$/);
    const unbroken = 'y'.repeat(7000);
    expect(splitText(unbroken, 3000).join('')).toBe(unbroken);
  });

  it('truncates with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
  });
});

describe('button payloads', () => {
  it('round-trips a valid payload', () => {
    const value = encodePayload(reportButtonPayload, { v: 1, reportId: 'abc_123' });
    expect(decodePayload(reportButtonPayload, value)).toEqual({ v: 1, reportId: 'abc_123' });
  });

  it.each([
    undefined,
    '',
    'not json',
    '{"v":2,"reportId":"a"}',
    '{"v":1}',
    '{"v":1,"reportId":"../../etc"}',
    '{"v":1,"reportId":"a","x":1}',
  ])('refuses %s', (raw) => {
    expect(() => decodePayload(reportButtonPayload, raw)).toThrow(UserFacingError);
  });
});
