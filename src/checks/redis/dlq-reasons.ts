// Audit DLQ reasons (caracal-ops.md §5.2): integrity failures are never replayed and nothing in Caracal removes them.
// Which reasons replay takes back is replay-rules.ts's.

const INTEGRITY_REASONS = new Set(['hmac_verify_failed', 'tamper_on_replay', 'json_parse_error', 'missing_data_field']);

/** The reason without its error text (`pg_permanent_error:<err>` → `pg_permanent_error`). */
export function reasonKind(reason: string | undefined): string {
  return reason === undefined || reason === '' ? '(no reason)' : reason.split(':')[0];
}

export function isIntegrityReason(reason: string | undefined): boolean {
  return INTEGRITY_REASONS.has(reasonKind(reason));
}
