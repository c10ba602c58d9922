// Writing a run's events: in id order under the run's log lock, each queued for the thread (and the dashboard
// refreshed) in the same transaction, so what Slack shows follows what was committed.
import { withData, type EventDraft } from '../domain/events.ts';
import type { Queryable } from '../store/db.ts';
import { enqueueDelivery } from '../store/deliveries.ts';
import { appendEvent, lockRunLog } from '../store/events.ts';

/** Events shown on the dashboard only: the thread already says it in the entry before. */
const NOT_IN_THREAD = new Set(['gate_opened']);

export async function recordEvents(
  q: Queryable,
  runId: string,
  at: Date,
  events: readonly EventDraft[],
  dashboard: boolean,
): Promise<void> {
  await lockRunLog(q, runId); // a run's events commit in id order, so its thread is posted in order
  for (const e of events) await appendEvent(q, runId, at, e, { toThread: !NOT_IN_THREAD.has(e.type) });
  if (dashboard) await enqueueDelivery(q, runId, 'dashboard');
}

/** The key rides in the first event's data, where eventWithKey finds it. */
export function withRequestKey(events: readonly EventDraft[], key: string): EventDraft[] {
  return events.map((e, i) => (i === 0 ? withData(e, (d) => ({ ...d, requestKey: key })) : e));
}
