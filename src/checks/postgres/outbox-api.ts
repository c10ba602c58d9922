// outbox.api: is the API's event_outbox draining to Redis, and has anything died in it?
// event_outbox has no status column; state is derived from dispatched_at and available_at (caracal-ops.md §4.1).
import type { CheckDefinition } from '../types.ts';
import { deadApiRows } from './outbox-dead-rows.ts';
import { resetTransaction } from './outbox-reset-sql.ts';
import { outboxVerdict } from './outbox-verdict.ts';
import { withPostgres, queryTable } from './shared.ts';

// Ages come from Postgres's own clock so a skewed bot host cannot hide a stuck row.
const COUNTS_SQL = `
  SELECT
    count(*) FILTER (WHERE available_at <> 'infinity')::int AS pending,
    count(*) FILTER (WHERE available_at = 'infinity')::int AS dead,
    COALESCE(GREATEST(0, floor(EXTRACT(EPOCH FROM now()
      - min(created_at) FILTER (WHERE available_at <> 'infinity')))), 0)::int AS oldest_pending_seconds
  FROM public.event_outbox
  WHERE dispatched_at IS NULL`;

/** Dead rows shown in the evidence and the remedy's SQL; the Evidence gate's break-glass action lists them all. */
const DEAD_SHOWN = 10;

type Counts = { pending: number; dead: number; oldest_pending_seconds: number };

const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const outboxApi: CheckDefinition = {
  id: 'outbox.api',
  title: 'API outbox (event_outbox)',
  gates: ['evidence'],
  reads: 'public.event_outbox: pending and dead row counts, oldest pending age',
  run: (ctx) =>
    withPostgres(ctx, async (pg) => {
      const rows = await queryTable<Counts>(pg, COUNTS_SQL, 'public.event_outbox', 'the API outbox');
      if (!Array.isArray(rows)) return rows;
      // An aggregate always returns one row; the fallback only satisfies the type.
      const { pending, dead, oldest_pending_seconds: oldest } = rows[0] ?? { pending: 0, dead: 0, oldest_pending_seconds: 0 };
      const limit = ctx.thresholds.outboxPendingAgeSeconds;
      const shown = dead > 0 ? await deadApiRows(pg, DEAD_SHOWN) : [];
      return outboxVerdict({
        table: 'event_outbox',
        counts: { pending, dead, oldestPendingSeconds: oldest },
        limitSeconds: limit,
        metrics: { pending, dead, oldestPendingSeconds: oldest },
        evidence: [`event_outbox: ${pending} pending, ${dead} dead, oldest pending ${oldest} s (limit ${limit} s)`],
        deadLines: shown.map(
          (r) => `dead: id=${r.id} stream=${r.stream_name} attempts=${r.attempts} last_error=${clip(r.last_error ?? '')}`,
        ),
        deadMeaning: 'those events never reached Redis, and API /ready fails while any row is dead.',
        deadRemedy:
          'There is no requeue endpoint for event_outbox (none in the API, Admin SDK or console). ' +
          'Restore Redis first, then, as a break-glass step, a DBA resets the rows as the table owner' +
          `${dead > shown.length ? ` (these are the oldest ${shown.length}; the Evidence gate's break-glass action lists all)` : ''}: ` +
          `${resetTransaction(shown.map((r) => r.id)).join(' ')} ` +
          'The bot never writes Caracal tables. Consumers are idempotent, so re-publishing is safe.',
        notDrainingRemedy:
          'Pending rows drain on their own once Postgres and Redis are reachable ' +
          '(the API retries with backoff of up to 60 s per attempt). Check Redis and the API pods, ' +
          'whose dispatchers publish the rows; after 100 attempts a row dies.',
        matrix: ['postgres'],
      });
    }),
};
