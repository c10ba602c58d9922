// COPY ... TO STDOUT (FORMAT binary) bytes of chains written in the test, random chains and tampering, and a
// CopyReader serving them as Postgres would: what the verifier is fed without Postgres (row-check.test.ts,
// verify-threads.test.ts).
import type { ChunkHandler, CopyReader } from '../../src/audit/copy-client.ts';
import type { ZoneReport } from '../../src/audit/report.ts';
import { referenceContentHash, referenceHmac, TEST_KEY_HEX } from './caracal-writer.ts';
import { jsonFieldsOf, oracleZone, textFieldsOf, type OracleRow } from './oracle.ts';

/** COPY TO's binary format, written from the PostgreSQL docs ("Binary Format") rather than from src/audit. */
const PG_EPOCH_MICROS = 946_684_800_000_000n;
export const int16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};
const text = (v: string | null) => (v === null ? int32(-1) : Buffer.concat([int32(Buffer.byteLength(v)), Buffer.from(v)]));
export const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), int32(0), int32(0)]);
export function tupleOf(r: OracleRow): Buffer {
  return Buffer.concat([
    int16(17),
    ...[...textFieldsOf(r), ...jsonFieldsOf(r)].map(text),
    int32(8),
    int64(r.occurredAtMicros - PG_EPOCH_MICROS),
    text(r.content_sha256),
    text(r.prev_content_sha256),
    text(r.chain_hmac),
    r.chain_seq === null ? int32(-1) : Buffer.concat([int32(8), int64(r.chain_seq)]),
  ]);
}

/** A whole COPY stream: header, the rows' tuples, trailer. */
export const copyBinary = (rows: readonly OracleRow[]): Buffer => Buffer.concat([HEADER, ...rows.map(tupleOf), int16(-1)]);

export const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)];
const ODD = [null, '', 'x', '\\N', 'null', 'tab\tnl\nbs\\cr\r\b\f\v', 'unit\x1fsep', 'naïve € 𝄞', '{"a": "b\\"c"}'];
const MICROS = [0n, -1n, 1n, 1_768_478_400_123_456n, 9_999_999_999_999_999n, -62_135_596_800_000_000n, 8_000_000_000_000_000n];

/** An intact zone chain of `n` rows as Caracal writes it, hashed by the test writer's reference functions. */
export function chain(zone: string, n: number, firstSeq: bigint): OracleRow[] {
  const rows: OracleRow[] = [];
  for (let i = 0; i < n; i++) {
    const f = {
      id: `${pick(ODD) ?? ''}${i}`,
      zone_id: zone,
      event_type: pick(['authz.decision', 'e\tv']),
      request_id: pick(ODD),
      decision: pick(ODD),
      policy_set_id: pick(ODD),
      policy_set_version_id: pick(ODD),
      manifest_sha: pick(ODD),
      evaluation_status: pick(ODD),
      determining_policies_json: pick(ODD),
      diagnostics_json: pick(ODD),
      metadata_json: pick(ODD),
      occurredAtMicros: pick(MICROS),
    };
    const content = referenceContentHash(
      [
        f.id,
        f.zone_id,
        f.event_type,
        f.request_id,
        f.decision,
        f.policy_set_id,
        f.policy_set_version_id,
        f.manifest_sha,
        f.evaluation_status,
      ],
      [f.determining_policies_json, f.diagnostics_json, f.metadata_json],
      f.occurredAtMicros * 1000n,
    );
    const seq = firstSeq + BigInt(i);
    const prev = seq === 1n ? null : (rows.at(-1)?.content_sha256 ?? 'f'.repeat(64));
    rows.push({
      ...f,
      content_sha256: content,
      prev_content_sha256: prev,
      chain_hmac: referenceHmac(TEST_KEY_HEX, content, prev ?? ''),
      chain_seq: seq,
    });
  }
  return rows;
}

/** One random tampering, of the kinds an attacker or a bad restore produces. */
export function tamper(rows: OracleRow[]): void {
  const i = Math.floor(Math.random() * rows.length);
  const r = rows[i];
  switch (Math.floor(Math.random() * 10)) {
    case 0:
      r.decision = pick(ODD);
      break;
    case 1:
      r.occurredAtMicros += 1n;
      break;
    case 2:
      rows.splice(i, 1);
      break;
    case 3:
      if (i > 0) [rows[i - 1], rows[i]] = [r, rows[i - 1]];
      break;
    case 4:
      rows.splice(i, 0, { ...r, id: `${r.id}x` });
      break;
    case 5:
      r.prev_content_sha256 = pick([null, '', r.content_sha256, r.prev_content_sha256?.toUpperCase() ?? null]);
      break;
    case 6:
      r.chain_hmac = pick(['', null, 'ab'.repeat(32), `${r.chain_hmac}\\`]);
      break;
    case 7:
      rows[0].chain_seq = pick([0n, -3n, 2n]);
      break; // the zone's oldest row: judged on its own
    case 8:
      r.content_sha256 = pick([null, '', r.content_sha256?.toUpperCase() ?? null]);
      break;
    default:
      r.chain_seq = pick([r.chain_seq === null ? 1n : r.chain_seq + 1n, 0n, -3n, 2n ** 60n]);
  }
}

/** Rows without chain_seq go last, by id, as the sweep's ORDER BY puts them. */
export const inSweepOrder = (rows: OracleRow[]): OracleRow[] => [
  ...rows.filter((r) => r.chain_seq !== null),
  ...rows.filter((r) => r.chain_seq === null).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
];

const bySeq = (a: OracleRow, b: OracleRow): number =>
  a.chain_seq === b.chain_seq ? 0 : a.chain_seq === null ? 1 : b.chain_seq === null ? -1 : a.chain_seq < b.chain_seq ? -1 : 1;
const byId = (a: OracleRow, b: OracleRow): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * What Postgres sends for `rows`, as a CopyReader: the sweep (zones descending, each by chain_seq, rows sharing one
 * in the order given, as an index scan leaves them), or with verify.ts's zone setting that zone alone, ties by id.
 * Cut into chunks of random sizes, yielding to the event loop between them as a socket does.
 */
export function fakeCopyReader(rows: readonly OracleRow[], zoneSetting: string, chunkBytes = 16_384): CopyReader & { copies: number } {
  const reader = {
    copies: 0,
    async copyOut(
      _sql: string,
      onChunk: ChunkHandler,
      signal?: AbortSignal,
      settings: Readonly<Record<string, string>> = {},
    ): Promise<void> {
      reader.copies++;
      const zone = settings[zoneSetting];
      const sent =
        zone === undefined
          ? [...new Set(rows.map((r) => r.zone_id))]
              .sort()
              .reverse()
              .flatMap((z) => rows.filter((r) => r.zone_id === z).sort(bySeq))
          : rows.filter((r) => r.zone_id === zone).sort((a, b) => bySeq(a, b) || byId(a, b));
      const bytes = copyBinary(sent);
      for (let at = 0; at < bytes.length;) {
        signal?.throwIfAborted();
        const next = Math.min(bytes.length, at + 1 + Math.floor(Math.random() * chunkBytes));
        onChunk(bytes.subarray(at, next));
        at = next;
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
  };
  return reader;
}

/** The oracle's report of the rows `fakeCopyReader` serves: per zone, ascending, in chain order with ties by id. */
export function oracleOf(rows: readonly OracleRow[], keyHex: string | undefined): ZoneReport[] {
  return [...new Set(rows.map((r) => r.zone_id))].sort().map((z) =>
    oracleZone(
      z,
      rows.filter((r) => r.zone_id === z).sort((a, b) => bySeq(a, b) || byId(a, b)),
      keyHex,
    ),
  );
}
