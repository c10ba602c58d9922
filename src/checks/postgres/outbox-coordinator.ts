// outbox.coordinator: is the Coordinator's caracal_outbox draining, and has anything died in it?
// Rows die after 10 attempts (about a minute of Redis failure) and then fail Coordinator /ready (caracal-ops.md §4.2).
import type { CheckDefinition } from '../types.ts';
import { deadCoordinatorRows, type DeadCoordinatorRow } from './outbox-dead-rows.ts';
import { outboxVerdict } from './outbox-verdict.ts';
import { withPostgres, queryTable } from './shared.ts';

// Only producer 'coordinator' rows are published by the Coordinator; 'api' rows are not its backlog.
// Ages come from Postgres's own clock so a skewed bot host cannot hide a stuck row.
const COUNTS_SQL = `
  SELECT
    count(*) FILTER (WHERE status = 'pending')::int AS pending,
    count(*) FILTER (WHERE status = 'published')::int AS published,
    count(*) FILTER (WHERE status = 'dead')::int AS dead,
    COALESCE(GREATEST(0, floor(EXTRACT(EPOCH FROM now()
      - min(created_at) FILTER (WHERE status = 'pending')))), 0)::int AS oldest_pending_seconds
  FROM public.caracal_outbox
  WHERE producer = 'coordinator'`;

/** Dead rows shown in the evidence, each with its requeue call. */
const DEAD_SHOWN = 10;

type Counts = { pending: number; published: number; dead: number; oldest_pending_seconds: number };

/** One evidence line per dead row, with the exact requeue call when the row can be requeued. */
function describeDead(r: DeadCoordinatorRow): string {
  const head = `dead: id=${r.id} topic=${r.topic} zone_id=${r.zone_id ?? '(none)'} attempts=${r.attempts}`;
  // The endpoint matches payload_json.zone_id against the path, so a row without a zone cannot be reached by it.
  return r.zone_id
    ? `${head} -> POST /zones/${r.zone_id}/outbox/${r.id}/requeue`
    : `${head} -> no zone_id in payload: the requeue endpoint cannot reach this row`;
}

export const outboxCoordinator: CheckDefinition = {
  id: 'outbox.coordinator',
  title: 'Coordinator outbox (caracal_outbox)',
  gates: ['evidence'],
  reads: "public.caracal_outbox (producer 'coordinator'): counts by status, oldest pending age",
  run: (ctx) =>
    withPostgres(ctx, async (pg) => {
      const rows = await queryTable<Counts>(pg, COUNTS_SQL, 'public.caracal_outbox', 'the Coordinator outbox');
      if (!Array.isArray(rows)) return rows;
      // An aggregate always returns one row; the fallback only satisfies the type.
      const {
        pending,
        published,
        dead,
        oldest_pending_seconds: oldest,
      } = rows[0] ?? { pending: 0, published: 0, dead: 0, oldest_pending_seconds: 0 };
      const limit = ctx.thresholds.outboxPendingAgeSeconds;
      const shown = dead > 0 ? await deadCoordinatorRows(pg, DEAD_SHOWN) : [];
      return outboxVerdict({
        table: 'caracal_outbox',
        counts: { pending, dead, oldestPendingSeconds: oldest },
        limitSeconds: limit,
        metrics: { pending, published, dead, oldestPendingSeconds: oldest },
        evidence: [
          `caracal_outbox (producer coordinator): ${pending} pending, ${published} published, ${dead} dead, ` +
            `oldest pending ${oldest} s (limit ${limit} s)`,
        ],
        deadLines: shown.map(describeDead),
        deadMeaning: 'those Coordinator events never reached Redis, and Coordinator /ready fails with outbox_dead until they are requeued.',
        deadRemedy:
          'Restore Redis first. Then requeue each dead row on the Coordinator (port 4000, no /v1 prefix), ' +
          'one row at a time: POST /zones/{zoneId}/outbox/{id}/requeue ' +
          'with Authorization: Bearer <CARACAL_COORDINATOR_TOKEN> (the operator token). ' +
          'The calls for the rows shown are in the evidence. Consumers are idempotent, so re-publishing is safe.',
        notDrainingRemedy:
          'Pending rows drain on their own once Postgres and Redis are reachable (the Coordinator retries every few ' +
          'seconds). Check Redis and the Coordinator pods; after 10 failed attempts a row dies and needs a requeue.',
        matrix: ['postgres', 'coordinator'],
      });
    }),
};
