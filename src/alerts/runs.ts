// Alerts in the channel's open run, written in the notification's own transaction: each Caracal alert's firing and
// resolving become events of the run's log (thread and timeline), the dashboard is re-rendered, and a drill run
// records "alert fired" by itself when an alert it expects starts after the fault was injected (TTD from startsAt).
import { findDrill } from '../drills/catalog.ts';
import { recordEvents } from '../recovery/service.ts';
import type { Queryable } from '../store/db.ts';
import { findRunId, readDrillMarks } from '../store/runs.ts';
import { caracalAlert } from '../domain/alert-catalog.ts';
import type { AlertChange } from '../domain/alerts.ts';

/** The actor of events Alertmanager caused (shown as text, never as a mention). */
export const ALERTMANAGER_ACTOR = 'Alertmanager';

/** Returns the run that got events, so the caller can wake its delivery. */
export async function recordAlertsInRun(
  q: Queryable,
  channelId: string,
  changes: readonly AlertChange[],
  now: Date,
): Promise<string | undefined> {
  const relevant = changes.filter((c) => caracalAlert(c.alert.name));
  if (relevant.length === 0) return undefined;
  const runId = await findRunId(q, channelId, 'active');
  if (!runId) return undefined;
  const [run] = (await q.query<{ kind: string; scenario: string | null }>('SELECT kind, scenario FROM runs WHERE id = $1', [runId])).rows;
  const marks = await readDrillMarks(q, runId);
  const expected = run.kind === 'drill' && run.scenario ? (findDrill(run.scenario)?.expectedAlerts ?? []) : [];
  for (const { alert, status } of relevant) {
    const row = caracalAlert(alert.name)!;
    await recordEvents(
      q,
      runId,
      now,
      [
        {
          type: status === 'firing' ? 'alert_firing' : 'alert_resolved',
          gate: row.gate,
          actor: ALERTMANAGER_ACTOR,
          data: {
            alert: alert.name,
            severity: alert.severity ?? null,
            fingerprint: alert.fingerprint,
            summary: alert.summary ?? null,
            startsAt: alert.startsAt.toISOString(),
            endsAt: alert.endsAt?.toISOString() ?? null,
          },
        },
      ],
      true,
    );
    const injected = marks.injected;
    // An alert already firing before the fault was injected did not detect it.
    if (status === 'firing' && expected.includes(alert.name) && injected && !marks.alert_fired && alert.startsAt >= injected) {
      await recordEvents(
        q,
        runId,
        alert.startsAt,
        [{ type: 'drill_marker', gate: undefined, actor: ALERTMANAGER_ACTOR, data: { marker: 'alert_fired', alert: alert.name } }],
        true,
      );
      marks.alert_fired = alert.startsAt;
    }
  }
  return runId;
}
