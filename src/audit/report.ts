// What a deep verification finds, per zone and in total: plain data, JSON-serialisable, shown by deep-check.ts.

/**
 * content_mismatch: the row's fields no longer hash to its content_sha256 (a field was edited).
 * broken_link: prev_content_sha256 is not the previous row's content_sha256 (NULL expected at chain_seq 1).
 * hmac_mismatch: chain_hmac does not authenticate (content_sha256, prev_content_sha256) under the key.
 * seq_gap: chain_seq is not the previous row's + 1 (a row deleted, inserted or moved).
 * missing_chain: chain_seq is NULL. Caracal's sweep reads it as COALESCE(chain_seq, 0), so the row is a mismatch that
 *   sorts before the chain's first row, never a row to skip (caracal-ops.md §15.2.2).
 */
export const BREAK_KINDS = ['content_mismatch', 'broken_link', 'hmac_mismatch', 'seq_gap', 'missing_chain'] as const;
export type BreakKind = (typeof BREAK_KINDS)[number];

export interface ChainBreak {
  id: string;
  /** Decimal text, so the report stays JSON-serialisable (JSON has no bigint); 'NULL' for missing_chain. */
  chainSeq: string;
  /** The first of `kinds`, in BREAK_KINDS order. */
  kind: BreakKind;
  kinds: BreakKind[];
}

export interface ZoneReport {
  zoneId: string;
  /** Rows with a chain_seq, each checked against the row before it. */
  rowsChecked: number;
  /** Rows with at least one break; rows after a break are still checked, each against its own neighbour. */
  brokenRows: number;
  /** The first broken row in chain order; a row without chain_seq takes precedence (Caracal sorts it first). */
  firstBreak: ChainBreak | null;
  /** The chain_seq of the zone's oldest row; above 1 means older rows are gone (retention drops, or deletion). */
  firstSeq: string | null;
  /** Every kind of break found in the zone, in the order first seen. */
  kindsSeen: BreakKind[];
  /** Rows with a NULL chain_seq: each counted in brokenRows, and the first of them (by id) is the first break. */
  unchainedRows: number;
}

export interface VerifyReport {
  ok: boolean;
  /** Ordered by zone_id, as Postgres sorts it. */
  zones: ZoneReport[];
  rowsChecked: number;
  hmacChecked: boolean;
  /** Plain sentences for people: what was not checked and why. */
  notes: string[];
  durationMs: number;
}

export const NO_KEY_NOTE =
  'chain_hmac was NOT checked: no AUDIT_HMAC_KEY was given, so only content hashes, links and chain_seq were ' +
  'verified. Someone able to write audit_events could rewrite rows and recompute the hashes undetected.';

export function emptyZoneReport(zoneId: string): ZoneReport {
  return { zoneId, rowsChecked: 0, brokenRows: 0, firstBreak: null, firstSeq: null, unchainedRows: 0, kindsSeen: [] };
}

/** The whole report from its zones. */
export function chainReport(zones: ZoneReport[], hmacChecked: boolean, started: number): VerifyReport {
  return {
    ok: zones.every((z) => z.firstBreak === null),
    zones,
    rowsChecked: zones.reduce((n, z) => n + z.rowsChecked, 0),
    hmacChecked,
    notes: hmacChecked ? [] : [NO_KEY_NOTE],
    durationMs: Math.round(performance.now() - started),
  };
}
