// After the soak: the outbox is empty and every delivery was made exactly once, or, for the one entry per run that
// Slack refused, marked failed alone with a placeholder in its place. Each run has one dashboard showing its final
// version (never an older one after a newer), and its thread holds one reply per logged event, in order.
import { logEntryMessage } from '../../src/blocks/log-entry.ts';
import { placeholderEntry } from '../../src/delivery/placeholder.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { loadRun } from '../../src/store/runs.ts';
import type { SoakSlack } from './workspace.ts';

/** The error the soak's Slack refuses one entry per run with (slow-slack.ts). */
const REFUSED = 'invalid_blocks';

export interface SlackFigures {
  deliveries: number;
  delivered: number;
  failedPermanently: number;
  threadReplies: number;
  dashboardUpdates: number;
}

type DeliveryRow = {
  id: string;
  run_id: string;
  kind: string;
  event_id: string | null;
  status: string;
  last_error: string | null;
  message_ts: string | null;
};

export async function verifySlack(
  db: Db,
  slack: SoakSlack,
  refusedIn: ReadonlySet<string>,
): Promise<{ problems: string[]; figures: SlackFigures }> {
  const problems: string[] = [];
  const ws = slack.sandbox.workspace;
  const rows = (
    await db.query<DeliveryRow>('SELECT id, run_id, kind, event_id, status, last_error, message_ts FROM deliveries ORDER BY id')
  ).rows;
  const figures: SlackFigures = { deliveries: rows.length, delivered: 0, failedPermanently: 0, threadReplies: 0, dashboardUpdates: 0 };
  const channelOf = new Map(
    (await db.query<{ id: string; channel_id: string }>('SELECT id, channel_id FROM runs')).rows.map((r) => [r.id, r.channel_id]),
  );
  const failedPerRun = new Map<string, number>();
  for (const d of rows) {
    if (d.status === 'done') figures.delivered++;
    else if (
      d.status === 'failed' &&
      d.kind === 'thread' &&
      d.last_error === REFUSED &&
      refusedIn.has(channelOf.get(d.run_id) ?? '') &&
      d.message_ts
    ) {
      figures.failedPermanently++;
      failedPerRun.set(d.run_id, (failedPerRun.get(d.run_id) ?? 0) + 1);
    } else
      problems.push(
        `delivery ${d.id} (${d.kind}, run ${d.run_id}) is ${d.status}${d.last_error ? `: ${d.last_error}` : ''}${d.status === 'failed' ? ' (not the one refused entry, or no placeholder)' : ''}`,
      );
  }
  for (const [runId, n] of failedPerRun) if (n > 1) problems.push(`run ${runId}: ${n} entries failed, Slack refused one`);
  const threadRow = new Map(rows.filter((d) => d.kind === 'thread').map((d) => [Number(d.event_id), d]));

  const runIds = (await db.query<{ id: string }>('SELECT id FROM runs ORDER BY started_at')).rows.map((r) => r.id);
  for (const runId of runIds) {
    const run = await loadRun(db, runId);
    if (!run) continue;
    const events = await listEvents(db, runId);
    const fail = (why: string) => problems.push(`run ${runId} (${run.channelId}): ${why}`);
    const tops = ws.history(run.channelId).filter((m) => m.botId);
    if (tops.length !== 1 || tops[0].ts !== run.dashboardTs)
      fail(`${tops.length} top-level bot messages; the dashboard is ${run.dashboardTs ?? 'not posted'}`);
    const shown = slack.shownVersions.get(run.dashboardTs ?? '') ?? [];
    figures.dashboardUpdates += shown.length;
    if (shown.some((v, i) => i > 0 && v < shown[i - 1])) fail(`the dashboard went back to an older version: ${shown.join(',')}`);
    if (shown.at(-1) !== run.version) fail(`the dashboard shows version ${shown.at(-1)}, the run is at ${run.version}`);

    const logged = events.filter((e) => e.type !== 'gate_opened');
    for (const e of events) {
      const row = threadRow.get(e.id);
      if (e.type === 'gate_opened' ? row !== undefined : row === undefined)
        fail(`event ${e.id} ${e.type} has ${row ? 'a' : 'no'} thread delivery`);
    }
    const replies = ws.replies(run.channelId, run.dashboardTs ?? '');
    figures.threadReplies += replies.length;
    if (replies.length !== logged.length) fail(`thread has ${replies.length} replies for ${logged.length} logged events`);
    for (const [i, e] of logged.entries()) {
      const reply = replies[i];
      if (!reply) break;
      const row = threadRow.get(e.id);
      // A refused entry is replaced in place by its placeholder, which says where to read it.
      const want =
        row?.status === 'failed'
          ? placeholderEntry(e, row.last_error ?? '').text
          : logEntryMessage(e, run, { sandbox: false, ...(e.type === 'run_resumed' ? { events } : {}) }).text;
      if (reply.ts !== threadRow.get(e.id)?.message_ts)
        fail(`reply ${i} (${reply.ts}) is not the delivery of event ${e.id} (${threadRow.get(e.id)?.message_ts ?? 'none'})`);
      if (reply.text !== want) {
        fail(`reply ${i} does not match event ${e.id} ${e.type}: "${reply.text.slice(0, 80)}"`);
        break; // one out-of-order entry would report every later one too
      }
    }
  }
  return { problems, figures };
}
