// Known vectors for the chain hashes. The expected digests were computed outside Node (sha256sum and
// `openssl dgst -hmac` over the byte strings spelled out below) and are also recomputed here from those bytes.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainHmac, contentHash, parseHmacKey, type ContentFields } from '../../src/audit/chain.ts';
import { referenceContentHash, TEST_KEY_HEX, truncateToMicros } from './caracal-writer.ts';

const ROW: ContentFields = {
  id: 'evt-0001',
  zone_id: 'zone-a',
  event_type: 'authz.decision',
  request_id: 'req-1',
  decision: 'allow',
  policy_set_id: 'ps-1',
  policy_set_version_id: null,
  manifest_sha: null,
  evaluation_status: 'ok',
  determining_policies_json: '["p1", "p2"]',
  diagnostics_json: null,
  // What Postgres returns for '{"b":1, "a":2}'::jsonb::text.
  metadata_json: '{"a": 2, "b": 1}',
  // 2026-01-15T12:00:00.123456Z: 1768478400 s since 1970, plus 123456 µs.
  occurredAtMicros: 1_768_478_400_123_456n,
};

// NULL text fields are empty strings, the NULL JSON field is the 4 characters `null`, every field ends in 0x1F,
// and the time is Unix nanoseconds (micros × 1000) with no separator after it.
const BYTES =
  'evt-0001\x1fzone-a\x1fauthz.decision\x1freq-1\x1fallow\x1fps-1\x1f\x1f\x1fok\x1f' +
  '["p1", "p2"]\x1fnull\x1f{"a": 2, "b": 1}\x1f1768478400123456000';
const CONTENT = '953d15ba4fe97734de8b951a93a657c3212c75539a0d8627d731d9e954b2ebd0';
const HMAC_FIRST = '9b878ed2fd40a2c0f3d0c849ab9afda71fae6cff0c76132770b30693dcc86798';
const HMAC_SELF_PREV = 'fa6e8e0ea273d56e069172bdb372a1abd89229d7642b125687fcac56d9250670';

describe('contentHash', () => {
  it('matches the known vector computed over the explicit byte string', () => {
    expect(createHash('sha256').update(Buffer.from(BYTES, 'utf8')).digest('hex')).toBe(CONTENT);
    expect(contentHash(ROW)).toBe(CONTENT);
  });

  it('changes with any one field, including where a separator falls', () => {
    expect(contentHash({ ...ROW, decision: 'deny' })).not.toBe(CONTENT);
    expect(contentHash({ ...ROW, diagnostics_json: '' })).not.toBe(CONTENT);
    expect(contentHash({ ...ROW, occurredAtMicros: ROW.occurredAtMicros + 1n })).not.toBe(CONTENT);
    expect(contentHash({ ...ROW, id: 'evt-000', zone_id: '1zone-a' })).not.toBe(CONTENT);
    // An unspaced rendering of the same JSON is different text, hence a different hash.
    expect(contentHash({ ...ROW, metadata_json: '{"a":2,"b":1}' })).not.toBe(CONTENT);
  });

  it('treats NULL JSON as `null` and NULL text as empty, like Caracal', () => {
    expect(contentHash({ ...ROW, diagnostics_json: 'null' })).toBe(CONTENT);
    expect(contentHash({ ...ROW, manifest_sha: '' })).toBe(CONTENT);
  });

  it('agrees with the independent reference on random rows (UTF-8, empty and NULL fields, any time)', () => {
    const pick = (): string | null => [null, '', 'x', 'zoné ✓ 𝄞', randomBytes(6).toString('hex')][Math.floor(Math.random() * 5)]!;
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: 9 }, pick);
      const json = [pick(), null, '{"k": "v\\n"}'];
      const micros = BigInt(Math.floor(Math.random() * 4e15));
      const row: ContentFields = {
        id: text[0] ?? '',
        zone_id: text[1] ?? '',
        event_type: text[2] ?? '',
        request_id: text[3]!,
        decision: text[4]!,
        policy_set_id: text[5]!,
        policy_set_version_id: text[6]!,
        manifest_sha: text[7]!,
        evaluation_status: text[8]!,
        determining_policies_json: json[0]!,
        diagnostics_json: json[1]!,
        metadata_json: json[2]!,
        occurredAtMicros: micros,
      };
      expect(contentHash(row)).toBe(referenceContentHash(text, json, micros * 1000n));
    }
  });
});

describe('chainHmac', () => {
  it('matches the known vectors: HMAC(hex-decoded key, content + "|" + prev)', () => {
    const key = Buffer.from(TEST_KEY_HEX, 'hex');
    expect(createHmac('sha256', key).update(`${CONTENT}|`).digest('hex')).toBe(HMAC_FIRST);
    expect(chainHmac(TEST_KEY_HEX, CONTENT, null)).toBe(HMAC_FIRST);
    expect(chainHmac(TEST_KEY_HEX, CONTENT, '')).toBe(HMAC_FIRST);
    expect(chainHmac(TEST_KEY_HEX, CONTENT, CONTENT)).toBe(HMAC_SELF_PREV);
    expect(chainHmac(TEST_KEY_HEX.toUpperCase(), CONTENT, CONTENT)).toBe(HMAC_SELF_PREV);
  });

  it('is keyed by the decoded bytes, not by the hex text', () => {
    const textKeyed = createHmac('sha256', TEST_KEY_HEX).update(`${CONTENT}|`).digest('hex');
    expect(chainHmac(TEST_KEY_HEX, CONTENT, null)).not.toBe(textKeyed);
  });

  it('rejects a key that is not hex instead of truncating it', () => {
    expect(() => parseHmacKey('abc')).toThrow(/not valid hex/);
    expect(() => parseHmacKey(`${TEST_KEY_HEX.slice(0, 10)}zz`)).toThrow(/not valid hex/);
    expect(() => parseHmacKey('')).toThrow(/not valid hex/);
  });
});

describe('truncateToMicros (the test writer)', () => {
  it('truncates nanoseconds like Go instead of rounding like Postgres', () => {
    expect(truncateToMicros('2026-01-15T12:00:00.1234569Z')).toEqual({
      iso: '2026-01-15T12:00:00.123456Z',
      nanos: 1_768_478_400_123_456_000n,
    });
  });
});
