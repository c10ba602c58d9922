// The simulated services' acting routes, on the sandbox's real stores: the Coordinator's requeue resets a dead
// caracal_outbox row, Audit's DLQ replay moves replayable entries back to the audit stream (§4.2, §5.2, §15.2.5).
import type { FakeBackend } from '../fake-caracal.ts';
import { isReplayable } from '../fake-caracal-backend.ts';
import { redisClient, type Sim } from './sim.ts';
import { AUDIT_DLQ_STREAM, AUDIT_STREAM } from './streams.ts';

export function sandboxBackend(sim: Sim): FakeBackend {
  return {
    async requeueCoordinatorOutbox(zoneId, id) {
      const rows = await sim.postgres.query<{ id: string }>(
        `UPDATE public.caracal_outbox SET status = 'pending', attempts = 0, available_at = $3, published_at = NULL, updated_at = $3
         WHERE id = $1 AND producer = 'coordinator' AND status = 'dead' AND payload_json->>'zone_id' = $2 RETURNING id`,
        [id, zoneId, new Date(sim.now())],
      );
      return rows.length > 0;
    },
    async replayAuditDlq(limit) {
      const client = redisClient(sim);
      const entries = await client.xrange(AUDIT_DLQ_STREAM, '-', '+', 'COUNT', limit);
      let replayed = 0;
      for (const [entryId, flat] of entries) {
        const fields = new Map<string, string>();
        for (let i = 0; i + 1 < flat.length; i += 2) fields.set(flat[i] ?? '', flat[i + 1] ?? '');
        const data = fields.get('src_data');
        if (!isReplayable(fields.get('reason') ?? '', data) || data === undefined) continue;
        await client.xadd(AUDIT_STREAM, '*', 'data', data, 'sig', fields.get('src_sig') ?? '');
        await client.xdel(AUDIT_DLQ_STREAM, entryId);
        replayed++;
      }
      return { scanned: entries.length, replayed, skipped: entries.length - replayed };
    },
    async coordinatorOutboxCounts() {
      const rows = await sim.postgres.query<{ status: 'pending' | 'published' | 'dead'; n: number }>(
        `SELECT status, count(*)::int AS n FROM public.caracal_outbox WHERE producer = 'coordinator' GROUP BY status`,
      );
      const counts = { pending: 0, published: 0, dead: 0 };
      for (const r of rows) counts[r.status] = r.n;
      return counts;
    },
  };
}
