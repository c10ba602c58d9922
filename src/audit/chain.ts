// Caracal's audit tamper chain, recomputed exactly as Audit writes it (caracal-ops.md §5.3; Caracal's
// services/audit/internal/pg.go contentHash and computeHMAC). Pure functions: no I/O, no clock.
import { createHmac, createSecretKey, hash, type KeyObject } from 'node:crypto';
import { CanonicalContent, HASHED_FIELDS } from './canonical.ts';

/**
 * One audit_events row as the verifier reads it. Text columns keep SQL NULL as null; the JSON columns are the
 * exact `jsonb::text` Postgres returns, because Caracal hashes that text (jsonb reorders keys and respaces it,
 * so any other rendering of the same JSON would hash differently).
 */
export interface AuditRow {
  id: string;
  zone_id: string;
  event_type: string;
  request_id: string | null;
  decision: string | null;
  policy_set_id: string | null;
  policy_set_version_id: string | null;
  manifest_sha: string | null;
  evaluation_status: string | null;
  determining_policies_json: string | null;
  diagnostics_json: string | null;
  metadata_json: string | null;
  /** occurred_at as Unix microseconds: Postgres keeps microseconds, and a JS Date (milliseconds) would lose them. */
  occurredAtMicros: bigint;
  content_sha256: string;
  /** NULL for the first event of a zone. */
  prev_content_sha256: string | null;
  /** '' when Audit ran without AUDIT_HMAC_KEY. */
  chain_hmac: string;
  chain_seq: bigint;
}

/** The fields the content hash covers; the chain columns are not part of it. */
export type ContentFields = Omit<AuditRow, 'content_sha256' | 'prev_content_sha256' | 'chain_hmac' | 'chain_seq'>;

/**
 * Hex SHA-256 over: the nine text fields and the three JSON texts, each followed by 0x1F, then the decimal
 * Unix-nanosecond occurred_at with no separator after it (canonical.ts holds the recipe). A missing text field
 * is ''; a NULL JSON field is the 4-character text `null` (Caracal stores an empty or `null` JSON value as SQL
 * NULL and hashes it so). Strings hash as UTF-8, which is what Go hashes and what Postgres returns.
 */
export function contentHash(row: ContentFields): string {
  const canonical = new CanonicalContent();
  canonical.reset();
  for (const name of HASHED_FIELDS) {
    const value = row[name];
    if (value === null) canonical.field(null, 0, 0);
    else {
      const bytes = Buffer.from(value, 'utf8');
      canonical.field(bytes, 0, bytes.length);
    }
  }
  return hash('sha256', canonical.occurredAt(row.occurredAtMicros), 'hex');
}

/** A prepared HMAC key: the hex-decoded AUDIT_HMAC_KEY (Caracal's config rejects anything but valid hex). */
export type HmacKey = KeyObject;

/**
 * Decode AUDIT_HMAC_KEY the way Caracal's Go config does (hex.DecodeString). Throws on invalid hex rather than
 * guessing: Buffer.from(s, 'hex') silently stops at the first bad character, which would give a wrong key and
 * make every row look tampered.
 */
export function parseHmacKey(keyHex: string): HmacKey {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(keyHex)) {
    throw new Error('AUDIT_HMAC_KEY is not valid hex (an even number of 0-9/a-f characters)');
  }
  return createSecretKey(Buffer.from(keyHex, 'hex'));
}

/** Hex HMAC-SHA256 over `content + '|' + prev` (prev is '' for the first event), with a prepared key. */
export function chainHmacWithKey(key: HmacKey, content: string, prev: string | null): string {
  return createHmac('sha256', key)
    .update(`${content}|${prev ?? ''}`)
    .digest('hex');
}

/** chain_hmac as Caracal computes it, keyed by the hex-decoded AUDIT_HMAC_KEY. */
export function chainHmac(keyHex: string, content: string, prev: string | null): string {
  return chainHmacWithKey(parseHmacKey(keyHex), content, prev);
}
