// outbox.api: is the API's event_outbox draining to Redis, and has anything died in it?
// event_outbox has no status column; state is derived from dispatched_at and available_at (caracal-ops.md §4.1).
import type { CheckDefinition } from '../types.ts';
import { resetTransaction } from './outbox-reset-sql.ts';
import { POSTGRES_NOT_CONFIGURED, queryTable } from './shared.ts';

// Ages come from Postgres's own clock so a skewed bot host cannot hide a stuck row.
const COUNTS_SQL = `
  SELECT
    count(*) FILTER (WHERE available_at <> 'infinity')::int AS pending,
    count(*) FILTER (WHERE available_at = 'infinity')::int AS dead,
    COALESCE(GREATEST(0, floor(EXTRACT(EPOCH FROM now()
      - min(created_at) FILTER (WHERE available_at <> 'infinity')))), 0)::int AS oldest_pending_seconds
  FROM public.event_outbox
  WHERE dispatched_at IS NULL`;

const DEAD_LIMIT = 10;
const DEAD_SQL = `
  SELECT id, stream_name, attempts, last_error
  FROM public.event_outbox
  WHERE dispatched_at IS NULL AND available_at = 'infinity'
  ORDER BY created_at, id
  LIMIT ${DEAD_LIMIT}`;

type Counts = { pending: number; dead: number; oldest_pending_seconds: number };
type DeadRow = { id: string; stream_name: string; attempts: number; last_error: string | null };

const clip = (s: string, n = 160): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export const outboxApi: CheckDefinition = {
  id: 'outbox.api',
  title: 'API outbox (event_outbox)',
  gates: ['evidence'],
  reads: 'public.event_outbox: pending and dead row counts, oldest pending age',
  async run(ctx) {
    const pg = ctx.postgres;
    if (!pg) return POSTGRES_NOT_CONFIGURED;
    const rows = await queryTable<Counts>(pg, COUNTS_SQL, 'public.event_outbox', 'the API outbox');
    if (!Array.isArray(rows)) return rows;
    const [counts] = rows;
    // An aggregate always returns one row; the fallback only satisfies the type.
    const zero: Counts = { pending: 0, dead: 0, oldest_pending_seconds: 0 };
    const { pending, dead, oldest_pending_seconds: oldest } = counts ?? zero;
    const limit = ctx.thresholds.outboxPendingAgeSeconds;
    const metrics = { pending, dead, oldestPendingSeconds: oldest };
    const evidence = [`event_outbox: ${pending} pending, ${dead} dead, oldest pending ${oldest} s (limit ${limit} s)`];

    if (dead > 0) {
      const rows = await pg.query<DeadRow>(DEAD_SQL);
      evidence.push(
        ...rows.map(
          (r) =>
            `dead: id=${r.id} stream=${r.stream_name} attempts=${r.attempts} ` +
            `last_error=${clip(r.last_error ?? '')}`,
        ),
      );
      if (dead > rows.length) evidence.push(`(${dead - rows.length} more dead rows not shown)`);
      return {
        status: 'fail',
        summary:
          `${dead} dead row${dead > 1 ? 's' : ''} in event_outbox: those events never reached Redis, ` +
          'and API /ready fails while any row is dead.',
        metrics,
        evidence,
        remedy:
          'There is no requeue endpoint for event_outbox (none in the API, Admin SDK or console). ' +
          'Restore Redis first, then, as a break-glass step, a DBA resets the rows as the table owner' +
          `${dead > rows.length ? ` (these are the oldest ${rows.length}; the Evidence gate's break-glass action lists all)` : ''}: ` +
          `${resetTransaction(rows.map((r) => r.id)).join(' ')} ` +
          'The bot never writes Caracal tables. Consumers are idempotent, so re-publishing is safe.',
        matrix: ['postgres'],
        findings: ['dead_rows'],
      };
    }
    if (oldest >= limit) {
      return {
        status: 'fail',
        summary:
          `event_outbox is not draining: the oldest of ${pending} pending rows is ${oldest} s old ` +
          `(limit ${limit} s).`,
        metrics,
        evidence,
        remedy:
          'Pending rows drain on their own once Postgres and Redis are reachable ' +
          '(the API retries with backoff of up to 60 s per attempt). Check Redis and the API pods, ' +
          'whose dispatchers publish the rows; after 100 attempts a row dies.',
        matrix: ['postgres'],
        findings: ['not_draining'],
      };
    }
    return {
      status: 'pass',
      summary:
        pending === 0
          ? 'event_outbox is drained, with no dead rows.'
          : `event_outbox is draining: ${pending} pending, oldest ${oldest} s.`,
      metrics,
      evidence,
    };
  },
};
