// Where Caracal has no endpoint, the bot shows the exact manual step and records who did it ("Done by me").
// It never runs the step itself: the bot never writes Caracal's tables or restarts its pods.
import { resetSql } from '../checks/postgres/outbox-api.ts';
import { displayUrl } from '../checks/targets/http.ts';
import type { RemediationAction } from './types.ts';

const DEAD_API_ROWS = `SELECT id FROM public.event_outbox WHERE dispatched_at IS NULL AND available_at = 'infinity' ORDER BY created_at, id LIMIT 100`;

export const apiOutboxBreakGlass: RemediationAction = {
  id: 'api.outbox_reset',
  title: 'Break-glass: reset dead API outbox rows (DBA)',
  gate: 'evidence',
  breakGlass: true,
  confirmText: 'Shows the exact SQL a DBA runs as the table owner to reset dead event_outbox rows (there is no API endpoint). The bot does not run it.',
  async run(ctx) {
    if (!ctx.postgres) return { ok: false, lines: [], summary: "Caracal's Postgres is not configured: the dead rows cannot be listed." };
    const rows = await ctx.postgres.query<{ id: string }>(DEAD_API_ROWS);
    if (rows.length === 0) return { ok: true, lines: [], summary: 'No dead event_outbox rows: nothing to reset.' };
    return {
      ok: true,
      lines: [resetSql(rows.map((r) => r.id))],
      summary: `${rows.length} dead event_outbox row(s). Restore Redis first; then a DBA runs this as the table owner. Consumers are idempotent, so re-publishing is safe.`,
    };
  },
};

export const replayRestartBreakGlass: RemediationAction = {
  id: 'replay.restart_pods',
  title: 'Break-glass: restart pods holding audit replay files',
  gate: 'evidence',
  breakGlass: true,
  confirmText: 'Shows which STS and Gateway pods to restart: their audit replay files drain only at process start (the StatefulSet PVC keeps them). The bot does not restart anything.',
  run(ctx) {
    const { sts, gateway } = ctx.caracal.services;
    const pods = [...sts.map((u) => `STS ${displayUrl(u)}`), ...gateway.map((u) => `Gateway ${displayUrl(u)}`)];
    return Promise.resolve({
      ok: true,
      lines: [
        'Check audit.replay for the pods with files, then for each: kubectl -n <namespace> delete pod <release>-caracal-<sts|gateway>-<N>',
        'Before restarting: Redis and Audit must be healthy, or the replayed events fail again and stay on disk.',
        ...pods.map((p) => `candidate: ${p}`),
      ],
      summary: 'Replay files drain only when the STS or Gateway process starts: restart each pod that holds them, one at a time.',
    });
  },
};
