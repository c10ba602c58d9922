// Which Audit DLQ entries POST /api/audit/dlq/replay takes back, exactly as Audit decides (caracal-ops.md
// §15.2.5, services/audit/internal/server.go): a non-blank src_data and a reason that starts with a replayable
// prefix followed by a colon. Anything else stays in the DLQ, however often replay is called.

export const REPLAYABLE_REASON_PREFIXES: readonly string[] = ['transient_exceeded_max_deliveries', 'pg_permanent_error'];

/** A reason's kind (`reasonKind`) that replay takes back when the rest of the entry is right. */
export function isReplayableKind(kind: string): boolean {
  return REPLAYABLE_REASON_PREFIXES.includes(kind);
}

export function isReplayableReason(reason: string | undefined): boolean {
  return reason !== undefined && REPLAYABLE_REASON_PREFIXES.some((prefix) => reason.startsWith(`${prefix}:`));
}

export function isReplayableEntry(fields: { reason?: string | undefined; src_data?: string | undefined }): boolean {
  return isReplayableReason(fields.reason) && fields.src_data !== undefined && fields.src_data.trim() !== '';
}
