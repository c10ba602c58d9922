// The small chains the verifier tests start from: 3 zones × 12 events, interleaved as Audit would ingest them,
// January rows then February rows (two monthly partitions), with NULL/empty JSON, out-of-order JSON keys and
// microsecond (and sub-microsecond) timestamps.
import type { TempDatabase } from '../helpers/pg.ts';
import { insertEvent, type TestEvent } from './caracal-writer.ts';

export const ZONES = ['zone-a', 'zone-b', 'zone-c'] as const;
// Past 9, so sorting chain_seq as text (10 before 2) would show.
export const PER_ZONE = 12;
/** loadCaracalSchema's "now": partitions for January to April 2026. */
export const SCHEMA_NOW = new Date('2026-01-15T00:00:00Z');

function event(zone: string, n: number): TestEvent {
  const id = `${zone.slice(-1)}-${n}`;
  const january = n <= PER_ZONE / 2;
  return {
    id,
    zone_id: zone,
    request_id: n % 3 === 0 ? null : `req-${id}`,
    decision: n % 2 === 0 ? 'deny' : 'allow',
    policy_set_id: 'ps-1',
    policy_set_version_id: n === 2 ? null : 'psv-7',
    manifest_sha: n === 5 ? '' : null,
    evaluation_status: 'ok',
    // Out-of-order keys and odd spacing: Postgres stores and returns {"a": 2, "b": 1}.
    determining_policies_json: n === 1 ? '{"b":1,   "a":2}' : n === 4 ? 'null' : `["policy-${n}",  "base"]`,
    diagnostics_json: n % 2 === 0 ? '' : `{"reason": "ok ${n} \\u00e9", "n": ${n}.50}`,
    metadata_json: n === 3 ? null : `{"zone": "${zone}", "tags": ["x", "y"], "nested": {"z": true, "a": null}}`,
    occurred_at: january
      ? `2026-01-${20 + n}T12:00:00.12345${n}Z`
      : // Nanoseconds from the producer: Caracal truncates them to microseconds before hashing.
        `2026-02-${String(n).padStart(2, '0')}T08:30:15.0000${String(n).padStart(2, '0')}987Z`,
  };
}

/** Insert the vectors like Audit does (round-robin over zones), with or without an HMAC key. */
export async function insertVectors(db: TempDatabase, keyHex: string | undefined): Promise<void> {
  for (let n = 1; n <= PER_ZONE; n++) {
    for (const zone of ZONES) await insertEvent(db, event(zone, n), keyHex);
  }
}
