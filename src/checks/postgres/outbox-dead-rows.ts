// Dead outbox rows, as the checks show them and the remediations act on them: what "dead" means in each of Caracal's
// two outboxes is said once, here (caracal-ops.md §4.1, §4.2). Oldest first, so a short list shows the first to die.
import type { PostgresTarget } from '../targets/postgres.ts';

/** event_outbox has no status column: a dead row was never dispatched and its next attempt is never ('infinity'). */
export const API_ROW_IS_DEAD = "dispatched_at IS NULL AND available_at = 'infinity'";

export type DeadApiRow = { id: string; stream_name: string; attempts: number; last_error: string | null };
/** `zone_id` is the payload's: the requeue endpoint finds the row by it. */
export type DeadCoordinatorRow = { id: string; topic: string; zone_id: string | null; attempts: number };

/** The oldest `limit` dead rows of the API's event_outbox. */
export function deadApiRows(pg: PostgresTarget, limit: number): Promise<DeadApiRow[]> {
  return pg.query<DeadApiRow>(
    `SELECT id, stream_name, attempts, last_error FROM public.event_outbox WHERE ${API_ROW_IS_DEAD} ORDER BY created_at, id LIMIT $1`,
    [limit],
  );
}

/** The oldest `limit` dead rows of caracal_outbox that the Coordinator publishes (producer 'coordinator'; 'api' rows are not its own). */
export function deadCoordinatorRows(pg: PostgresTarget, limit: number): Promise<DeadCoordinatorRow[]> {
  return pg.query<DeadCoordinatorRow>(
    `SELECT id, topic, payload_json->>'zone_id' AS zone_id, attempts FROM public.caracal_outbox
     WHERE producer = 'coordinator' AND status = 'dead' ORDER BY created_at, id LIMIT $1`,
    [limit],
  );
}
