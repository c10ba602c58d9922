// The byte-level pieces of the COPY path without Postgres: the HMAC against node's createHmac, and random
// chains (escapes, NULLs, odd times, tampering of every kind) checked by RowChecker from COPY text bytes
// against the reference verifyAuditChains over the same rows as objects.
import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainHmac, contentHash, type AuditRow } from '../../src/audit/chain.ts';
import { CopyRows } from '../../src/audit/copy-rows.ts';
import { FastHmac, fastHmacHex } from '../../src/audit/fast-hmac.ts';
import { RowChecker } from '../../src/audit/row-check.ts';
import { verifyAuditChains, type ZoneReport } from '../../src/audit/verify.ts';
import { TEST_KEY_HEX } from './caracal-writer.ts';

/** COPY TO's text escaping, written from the PostgreSQL docs rather than from src/audit/copy-text.ts. */
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };
const copyField = (v: string | null): string => (v === null ? '\\N' : v.replace(/[\\\b\f\n\r\t\v]/g, (c) => ESCAPES[c]));
const copyLine = (r: AuditRow): string =>
  [r.id, r.zone_id, r.event_type, r.request_id, r.decision, r.policy_set_id, r.policy_set_version_id, r.manifest_sha,
    r.evaluation_status, r.determining_policies_json, r.diagnostics_json, r.metadata_json, r.occurredAtMicros.toString(),
    r.content_sha256, r.prev_content_sha256, r.chain_hmac, r.chain_seq.toString()].map(copyField).join('\t') + '\n';

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const ODD = [null, '', 'x', '\\N', 'null', 'tab\tnl\nbs\\cr\r\b\f\v', 'unit\x1fsep', 'naïve € 𝄞', '{"a": "b\\"c"}'];
const MICROS = [0n, -1n, 1n, 1_768_478_400_123_456n, 9_999_999_999_999_999n, -62_135_596_800_000_000n];

/** An intact zone chain of `n` rows as Caracal writes it (content hash, link, HMAC, seq from `firstSeq`). */
function chain(zone: string, n: number, firstSeq: bigint): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let i = 0; i < n; i++) {
    const prev = rows.at(-1)?.content_sha256 ?? null;
    const fields = {
      id: `${pick(ODD) ?? ''}${i}`, zone_id: zone, event_type: pick(['authz.decision', 'e\tv']),
      request_id: pick(ODD), decision: pick(ODD), policy_set_id: pick(ODD), policy_set_version_id: pick(ODD),
      manifest_sha: pick(ODD), evaluation_status: pick(ODD), determining_policies_json: pick(ODD),
      diagnostics_json: pick(ODD), metadata_json: pick(ODD), occurredAtMicros: pick(MICROS),
    };
    const content = contentHash(fields);
    const seq = firstSeq + BigInt(i);
    rows.push({ ...fields, content_sha256: content, prev_content_sha256: seq === 1n ? null : prev ?? 'f'.repeat(64),
      chain_hmac: chainHmac(TEST_KEY_HEX, content, seq === 1n ? null : prev ?? 'f'.repeat(64)), chain_seq: seq });
  }
  return rows;
}

/** One random tampering, of the kinds an attacker or a bad restore produces. */
function tamper(rows: AuditRow[]): void {
  const i = Math.floor(Math.random() * rows.length);
  const r = rows[i];
  switch (Math.floor(Math.random() * 9)) {
    case 0: r.decision = pick(ODD); break;
    case 1: r.occurredAtMicros += 1n; break;
    case 2: rows.splice(i, 1); break;
    case 3: if (i > 0) [rows[i - 1], rows[i]] = [r, rows[i - 1]]; break;
    case 4: rows.splice(i, 0, { ...r, id: `${r.id}x` }); break;
    case 5: r.prev_content_sha256 = pick([null, '', r.content_sha256, r.prev_content_sha256?.toUpperCase() ?? null]); break;
    case 6: r.chain_hmac = pick(['', 'ab'.repeat(32), `${r.chain_hmac}\\`]); break;
    case 7: rows[0].chain_seq = pick([0n, -3n, 2n]); break; // the zone's oldest row: judged on its own
    default: r.chain_seq = pick([r.chain_seq + 1n, 0n, -3n, 2n ** 60n]);
  }
}

describe('FastHmac', () => {
  it('equals createHmac for keys shorter than, equal to and longer than the block, and long messages', () => {
    for (const keyLength of [1, 16, 32, 63, 64, 65, 100, 200]) {
      const key = randomBytes(keyLength);
      const fast = new FastHmac(key);
      for (const message of ['', 'a|', `${'c'.repeat(64)}|${'d'.repeat(64)}`, 'naïve €'.repeat(100), 'x'.repeat(5000)]) {
        expect(fastHmacHex(fast, message)).toBe(createHmac('sha256', key).update(message, 'utf8').digest('hex'));
      }
    }
  });
});

describe('RowChecker', () => {
  it('reports random chains, intact and tampered, exactly as the reference does', async () => {
    for (let round = 0; round < 60; round++) {
      const zones = ['z1', 'z\t2', "z'3"].map((z, k) => chain(z, 5 + Math.floor(Math.random() * 20), k === 2 ? 9_007_199_254_740_990n : 1n));
      for (let t = round % 4; t > 0; t--) tamper(pick(zones));
      for (const keyHex of [TEST_KEY_HEX, undefined]) {
        const source = {
          zones: () => Promise.resolve(zones.map((z) => z[0]?.zone_id ?? '')),
          batches: async function* (zoneId: string) {
            yield await Promise.resolve(zones.find((z) => z[0]?.zone_id === zoneId) ?? []);
          },
          unchained: () => Promise.resolve({ count: 0, firstId: null }),
        };
        const reference = await verifyAuditChains(source, { hmacKeyHex: keyHex });
        const checker = new RowChecker(keyHex ? Buffer.from(keyHex, 'hex') : undefined);
        const fast = zones.map((rows) => {
          const report: ZoneReport = { zoneId: rows[0]?.zone_id ?? '', rowsChecked: 0, brokenRows: 0, firstBreak: null, firstSeq: null, unchainedRows: 0, kindsSeen: [] };
          checker.beginZone(report);
          for (const r of rows) {
            const line = Buffer.from(`junk\n${copyLine(r)}more`);
            checker.row(line, 5, line.length - 5);
          }
          return report;
        });
        expect(fast).toEqual(reference.zones);
      }
    }
  });
});

describe('CopyRows', () => {
  it('hands over rows whole however the stream is cut, and fails on a cut-off last row', async () => {
    const text = Array.from({ length: 50 }, (_, i) => `row ${i}\t${'é'.repeat(i)}\n`).join('');
    const seen: string[] = [];
    const copy = new CopyRows('COPY ...', (buf, start, end) => seen.push(buf.toString('utf8', start, end + 1)));
    const bytes = Buffer.from(text);
    for (let at = 0; at < bytes.length; ) {
      const next = Math.min(bytes.length, at + 1 + Math.floor(Math.random() * 40));
      copy.handleCopyData({ chunk: bytes.subarray(at, next) });
      at = next;
    }
    copy.handleReadyForQuery();
    expect(await copy.done).toBe(50);
    expect(seen.join('')).toBe(text);
    const cut = new CopyRows('COPY ...', () => undefined);
    cut.handleCopyData({ chunk: Buffer.from('a\nb') });
    cut.handleReadyForQuery();
    await expect(cut.done).rejects.toThrow('COPY ended in the middle of a row');
  });
});
