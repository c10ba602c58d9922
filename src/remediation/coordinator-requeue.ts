// Requeue every dead Coordinator outbox row, one call per row with its zone
// (POST /zones/{zoneId}/outbox/{id}/requeue, operator token). The rows are read, never written, by the bot.
import { joinUrl } from '../url.ts';
import type { RemediationAction } from './types.ts';
import { postAdmin } from './call.ts';
import { isUuid, isZoneId, shownId } from '../domain/ids.ts';
import { deadCoordinatorRows } from '../checks/postgres/outbox-dead-rows.ts';

/** At most this many rows per run (one requeue call each, in order). */
const MAX_ROWS = 500;

export const coordinatorRequeue: RemediationAction = {
  id: 'coordinator.requeue',
  title: 'Requeue dead Coordinator outbox rows',
  gate: 'evidence',
  confirmText:
    'Reads dead caracal_outbox rows (producer coordinator), then calls POST /zones/{zone}/outbox/{id}/requeue on the Coordinator for each, with the operator token.',
  async run(ctx, signal) {
    const base = ctx.caracal.services.coordinator[0];
    if (!base) return { ok: false, lines: [], summary: 'No Coordinator URL is configured (caracal.services.coordinator).' };
    if (!ctx.postgres) return { ok: false, lines: [], summary: "Caracal's Postgres is not configured: the dead rows cannot be listed." };
    const rows = await deadCoordinatorRows(ctx.postgres, MAX_ROWS);
    if (rows.length === 0) return { ok: true, lines: [], summary: 'No dead Coordinator outbox rows: nothing to requeue.' };
    const lines: string[] = [];
    let done = 0;
    // One at a time, in order: the endpoint takes one row per call, and the log shows progress row by row.
    for (const row of rows) {
      if (!row.zone_id) {
        lines.push(`row ${shownId(row.id)}: no payload zone_id, the requeue endpoint cannot reach it (break-glass SQL needed)`);
        continue;
      }
      // Values from the database never shape the URL (issue 18): `..` would redirect the operator-token POST.
      if (!isUuid(row.id) || !isZoneId(row.zone_id)) {
        lines.push(
          `row ${shownId(row.id)} (zone ${shownId(row.zone_id)}): not called: the ${isUuid(row.id) ? 'zone id' : 'row id'} is not a valid id; inspect the row (break-glass SQL)`,
        );
        continue;
      }
      const url = joinUrl(base, `/zones/${encodeURIComponent(row.zone_id)}/outbox/${encodeURIComponent(row.id)}/requeue`);
      const r = await postAdmin(ctx, 'coordinator', url, signal);
      lines.push(r.line);
      if (r.ok) done++;
    }
    return { ok: done === rows.length, lines, summary: `Requeued ${done} of ${rows.length} dead Coordinator outbox row(s).` };
  },
};
