// Where Caracal has no endpoint, the bot shows the exact manual step and records who did it ("Done by me").
// It never runs the step itself: the bot never writes Caracal's tables or restarts its pods.
import { deadApiRows } from '../checks/postgres/outbox-dead-rows.ts';
import { resetTransaction } from '../checks/postgres/outbox-reset-sql.ts';
import { podCandidates } from './pod-candidates.ts';
import type { RemediationAction } from './types.ts';

/** At most this many rows in one reset transaction. */
const MAX_ROWS = 5000;

export const apiOutboxBreakGlass: RemediationAction = {
  id: 'api.outbox_reset',
  title: 'Break-glass: reset dead API outbox rows (DBA)',
  gate: 'evidence',
  breakGlass: true,
  confirmText:
    'Shows the exact SQL a DBA runs as the table owner to reset dead event_outbox rows (there is no API endpoint). The bot does not run it.',
  async run(ctx) {
    if (!ctx.postgres) return { ok: false, lines: [], summary: "Caracal's Postgres is not configured: the dead rows cannot be listed." };
    const rows = await deadApiRows(ctx.postgres, MAX_ROWS);
    if (rows.length === 0) return { ok: true, lines: [], summary: 'No dead event_outbox rows: nothing to reset.' };
    const lines = resetTransaction(rows.map((r) => r.id));
    return {
      ok: true,
      lines,
      summary:
        `${rows.length} dead event_outbox row(s), ${lines.length - 2} statement(s) in one transaction. Restore Redis first; ` +
        `then a DBA runs it as the table owner and commits only if ${rows.length} ids come back. Consumers are idempotent, so re-publishing is safe.`,
    };
  },
};

export const replayRestartBreakGlass: RemediationAction = {
  id: 'replay.restart_pods',
  title: 'Break-glass: restart pods holding audit replay files',
  gate: 'evidence',
  breakGlass: true,
  confirmText:
    'Shows how to restart the STS and Gateway pods that hold audit replay files (they drain only at process start) without destroying them, ' +
    'listing the pods discovered behind the configured URLs (caracal.discovery), or the URLs themselves when discovery is off or fails. The bot does not restart anything.',
  async run(ctx, signal) {
    const [sts, gateway] = await Promise.all([podCandidates(ctx, 'sts', signal), podCandidates(ctx, 'gateway', signal)]);
    const fallback = [sts, gateway].some((c) => c.fallback);
    return {
      ok: true,
      lines: [
        'Before restarting: Redis and Audit must be healthy, or the replayed events fail again and stay on disk. Check audit.replay for the pods with files.',
        'Helm with replayPersistence.enabled=true (StatefulSets on a PVC): the files survive the pod; for each pod: kubectl -n <namespace> delete pod <release>-caracal-<sts|gateway>-<N>',
        'Helm with replayPersistence.enabled=false (Deployments on emptyDir): deleting the pod DESTROYS its replay files. First copy them out as evidence: ' +
          'kubectl -n <namespace> cp <pod>:/var/lib/caracal/audit-replay ./replay-<pod>; then restart only the container (the emptyDir survives a container restart), ' +
          'or switch to persistence before the next outage. Record any files lost as an evidence gap.',
        'Docker Compose (named volumes stsReplay and gatewayReplay keep the files): docker compose restart sts, then docker compose restart gateway',
        ...sts.lines,
        ...gateway.lines,
      ],
      summary:
        `Replay files drain only when the STS or Gateway process starts: restart each pod that holds them, one at a time ` +
        `(${sts.count} STS and ${gateway.count} Gateway candidate(s)` +
        `${fallback ? '; some are configured URLs, not discovered pods: see the lines' : ', discovered behind the configured URLs'}).`,
    };
  },
};
