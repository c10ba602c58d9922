// Audit events as Audit dead-letters them to caracal.audit.events.dlq (caracal-ops.md §5.2): the DLQ state the
// audit.dlq check judges. Used by the check tests and by the sandbox's DLQ and backpressure faults.
import { createHmac, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AUDIT_DLQ_STREAM, TEST_AUDIT_HMAC_KEY } from './streams.ts';

export interface AuditEvent {
  id: string;
  zone_id: string;
  occurred_at: string;
  event_type: string;
  request_id: string;
  decision: string;
  [key: string]: unknown;
}

export function auditEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: randomUUID(),
    zone_id: 'zone-1',
    occurred_at: new Date().toISOString(),
    event_type: 'gateway.request',
    request_id: randomUUID(),
    decision: 'allow',
    ...overrides,
  };
}

export interface DlqEntrySpec {
  /** e.g. `transient_exceeded_max_deliveries:conn refused`, `pg_permanent_error:23502 ...`, `hmac_verify_failed`. */
  reason: string;
  /** Whether the original `data` was copied to `src_data` (absent for `missing_data_field`). Default true. */
  srcData?: boolean;
  event?: Partial<AuditEvent>;
  /** When Audit dead-lettered it; sets the entry ID's time (must not decrease along the list). Default now. */
  at?: Date;
}

/**
 * Entries as Audit writes them to the DLQ: `reason`, `received_at` (unix ms) and the original fields as `src_*`,
 * with `src_sig` made with `auditKeyHex` (the producers' AUDIT_HMAC_KEY; by default the tests' key).
 */
export async function addDlqEntries(client: Redis, specs: DlqEntrySpec[], opts: { auditKeyHex?: string } = {}): Promise<string[]> {
  const key = Buffer.from(opts.auditKeyHex ?? TEST_AUDIT_HMAC_KEY, 'hex');
  const ids: string[] = [];
  for (const [i, spec] of specs.entries()) {
    const event = auditEvent(spec.event);
    const data = JSON.stringify(event);
    const sig = createHmac('sha256', key).update(data).digest('hex');
    const at = spec.at ?? new Date();
    const fields: Record<string, string> = { reason: spec.reason, received_at: String(at.getTime()) };
    // Audit copies every original field with a src_ prefix; src_id ends up as the event's own id (§5.2).
    if (spec.srcData ?? true) Object.assign(fields, { src_id: event.id, src_data: data, src_sig: sig });
    // Explicit IDs keep the ordering and the age under the caller's control.
    const id = spec.at ? `${at.getTime()}-${i}` : '*';
    ids.push(String(await client.xadd(AUDIT_DLQ_STREAM, id, ...Object.entries(fields).flat())));
  }
  return ids;
}
