// Replay the Audit DLQ's replayable entries (POST /api/audit/dlq/replay). Caracal replays only entries with a
// non-blank src_data whose reason is transient_exceeded_max_deliveries: or pg_permanent_error: (prefix and colon,
// see replay-rules.ts); integrity failures are never replayed.
import { joinUrl } from '../url.ts';
import type { RemediationAction } from './types.ts';
import { postAdmin } from './call.ts';

const LIMIT = 1000; // Caracal's maximum per call; it starts from the head each time

export const auditDlqReplay: RemediationAction = {
  id: 'audit.dlq_replay',
  title: 'Replay replayable Audit DLQ entries',
  gate: 'evidence',
  confirmText: `Calls POST /api/audit/dlq/replay?limit=${LIMIT} on Audit with the Audit admin token. Integrity failures (hmac_verify_failed, tamper_on_replay, parse errors) are never replayed.`,
  async run(ctx, signal) {
    const base = ctx.caracal.services.audit[0];
    if (!base) return { ok: false, lines: [], summary: 'No Audit URL is configured (caracal.services.audit).' };
    const url = joinUrl(base, `/api/audit/dlq/replay?limit=${LIMIT}`);
    const r = await postAdmin(ctx, 'audit', url, signal);
    const body = (r.ok && typeof r.body === 'object' && r.body !== null ? r.body : {}) as {
      scanned?: number;
      replayed?: number;
      skipped?: number;
    };
    const summary = r.ok
      ? `DLQ replay: ${body.replayed ?? '?'} replayed, ${body.skipped ?? '?'} skipped (not replayable) of ${body.scanned ?? '?'} scanned.`
      : 'DLQ replay failed; nothing was replayed.';
    return { ok: r.ok, lines: [r.line], summary };
  },
};
