// The break-glass reset of dead event_outbox rows, as a DBA runs it: one transaction, RETURNING the ids it changed,
// the expected row count said up front. A long list is split into several statements, each shown.
import { sqlStringLiteral } from '../../domain/ids.ts';
import { API_ROW_IS_DEAD } from './outbox-dead-rows.ts';

/** Ids per UPDATE: long enough to be useful, short enough to read and paste. */
export const IDS_PER_STATEMENT = 100;

// Safe whatever standard_conforming_strings is on the DBA's session (issue 18).
const quote = sqlStringLiteral;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** One UPDATE, guarded so it touches only rows that are still dead, returning what it changed. */
export function resetStatement(ids: readonly string[]): string {
  return (
    'UPDATE public.event_outbox SET available_at = now(), attempts = 0, last_error = NULL ' +
    `WHERE id IN (${ids.map(quote).join(', ')}) AND ${API_ROW_IS_DEAD} RETURNING id;`
  );
}

/** Every line of the transaction, in order: BEGIN, one UPDATE per chunk with its expected count, COMMIT. */
export function resetTransaction(ids: readonly string[], perStatement = IDS_PER_STATEMENT): string[] {
  const parts = chunks(ids, perStatement);
  return [
    `BEGIN; -- resets ${ids.length} dead event_outbox row(s) in ${parts.length} statement(s)`,
    ...parts.map((part, i) => `${resetStatement(part)} -- statement ${i + 1} of ${parts.length}: expect ${part.length} row(s) returned`),
    `COMMIT; -- only if the statements returned ${ids.length} row(s) in total; otherwise ROLLBACK and re-run the check`,
  ];
}
