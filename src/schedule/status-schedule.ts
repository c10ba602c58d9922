// Scheduled status (issue 17): `/caracal status every 15m` posts a report in the channel when something changed
// since the last one, and otherwise edits the last one's "still the same at HH:MM" line. It ends with
// `/caracal status stop` or when the channel's run is resumed. The post is marked pending (fenced) before the call
// and carries the report id in its metadata, so a replica that died between Slack's answer and its commit is
// followed by a look-up in the channel, not by a second post.
import type { ContextBlock, KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { statusReportMessage } from '../blocks/status-report.ts';
import { findEarlierPost } from '../delivery/readback.ts';
import type { StatusReport } from '../domain/report.ts';
import type { CheckDefinition } from '../checks/types.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ReportStore } from '../domain/report.ts';
import { channelGone, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { advanceSchedule, deleteSchedule, type Schedule } from '../store/schedules.ts';
import type { GateResultsSource } from './gate-results.ts';
import { formatInterval, hhmm } from '../domain/interval.ts';
import type { Job } from './runner.ts';

/** What `/caracal status every <interval>` and `status stop` ask of the scheduler. */
export interface StatusScheduleControl {
  /** Schedule the channel's report of `environment` every `intervalMs`, first now. */
  every(channelId: string, intervalMs: number, userId: string, environment: string | undefined): Promise<void>;
  /** False when the channel had no schedule. */
  stop(channelId: string): Promise<boolean>;
}

export const SCHEDULED_STATUS_EVENT = 'caracal_scheduled_status';

export interface StatusScheduleState {
  /** The Caracal deployment the reports check (named with the command, else the channel's default). */
  environment?: string;
  reportId?: string;
  messageTs?: string;
  fingerprint?: string;
  /** A post that may have reached Slack unrecorded: look for it before posting again. */
  pending?: { reportId: string; fingerprint: string };
}

export interface StatusScheduleDeps {
  db: Db;
  client: WebClient;
  checks: readonly CheckDefinition[];
  results: GateResultsSource;
  store: ReportStore;
  metrics: Metrics;
  logger: Logger;
  sandbox: boolean;
  newId: () => string;
  botId?: string;
}

/** The report with the schedule's line under its header: who set it, how often, and "still the same at". */
export function scheduledReport(
  view: StatusReport,
  s: Pick<Schedule, 'intervalMs' | 'createdBy'>,
  line: string,
): { text: string; blocks: KnownBlock[] } {
  const msg = statusReportMessage(view);
  const context: ContextBlock = {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `:repeat: Every ${formatInterval(s.intervalMs)}${s.createdBy ? ` (set by <@${s.createdBy}>)` : ''} · ${line} · \`/caracal status stop\` ends it`,
      },
    ],
  };
  const blocks = [...msg.blocks];
  blocks.splice(2, 0, context);
  return { text: msg.text, blocks };
}

export function statusScheduleJob(deps: StatusScheduleDeps): Job {
  const call = <T>(method: string, fn: () => Promise<T>) => slackCall(deps.metrics, method, fn);

  async function resumedSince(channelId: string, since: Date): Promise<Date | undefined> {
    const [row] = (
      await deps.db.query<{ ended_at: Date }>(
        `SELECT ended_at FROM runs WHERE channel_id = $1 AND status = 'resumed' AND ended_at >= $2 ORDER BY ended_at DESC LIMIT 1`,
        [channelId, since],
      )
    ).rows;
    return row ? new Date(row.ended_at) : undefined;
  }

  /** The report an earlier attempt may have posted; a lasting refusal to read (no scope) posts again: better twice than never. */
  function findPosted(channel: string, reportId: string): Promise<string | undefined> {
    return findEarlierPost(
      deps.client,
      deps.metrics,
      {
        channel,
        eventType: SCHEDULED_STATUS_EVENT,
        key: 'report_id',
        value: reportId,
        lookback: 50,
        ...(deps.botId ? { botId: deps.botId } : {}),
      },
      (code) => deps.logger.warn({ channel, code }, 'cannot read the channel to look for an earlier scheduled report; posting it again'),
    );
  }

  const job: Job = async (schedule, ctx) => {
    const channel = schedule.key;
    const state = schedule.state as StatusScheduleState;
    const next = (ms = schedule.intervalMs) => new Date(ctx.now.getTime() + ms);
    const ended = await resumedSince(channel, schedule.createdAt);
    if (ended) {
      await ctx.commit((tx) => deleteSchedule(tx, 'status', channel));
      const last = state.reportId ? await deps.store.get(state.reportId) : undefined;
      if (last && state.messageTs) {
        const msg = scheduledReport(last.view, schedule, `stopped: the run was resumed at ${hhmm(ended)} UTC`);
        await call('chat.update', () => deps.client.chat.update({ channel, ts: state.messageTs!, ...msg })).catch(() => undefined);
      }
      return;
    }
    // Schedules set before environments were remembered check the default environment, as they did.
    const environment = state.environment;
    const got = await deps.results.get('resume', environment); // Resume's checks are every check
    if (!got.ok) {
      await ctx.commit((tx) => advanceSchedule(tx, 'status', channel, next(got.retryInMs), schedule.state));
      return;
    }
    const fingerprint = got.results
      .map((r) => `${r.id}:${r.status}`)
      .sort()
      .join(',');
    if (state.messageTs && state.reportId && state.fingerprint === fingerprint && !state.pending) {
      const last = await deps.store.get(state.reportId);
      if (last) {
        const msg = scheduledReport(last.view, schedule, `still the same at ${hhmm(ctx.now)} UTC`);
        await call('chat.update', () => deps.client.chat.update({ channel, ts: state.messageTs!, ...msg }));
        await ctx.commit((tx) => advanceSchedule(tx, 'status', channel, next(), schedule.state));
        return;
      }
    }
    // Something changed (or this is the first report): a new message. Its id is chosen and marked before the call.
    const pending = state.pending?.fingerprint === fingerprint ? state.pending : { reportId: deps.newId(), fingerprint };
    if (!state.pending || state.pending.reportId !== pending.reportId) {
      await ctx.commit((tx) => advanceSchedule(tx, 'status', channel, schedule.nextAt, { ...state, pending }));
    }
    const view: StatusReport = {
      reportId: pending.reportId,
      requestedBy: schedule.createdBy ?? 'caracal',
      startedAt: ctx.now.toISOString(),
      planned: deps.checks.map((c) => ({ id: c.id, title: c.title })),
      results: got.results,
      sandbox: deps.sandbox,
      ...(environment ? { environment } : {}),
    };
    let ts = state.pending?.reportId === pending.reportId ? await findPosted(channel, pending.reportId) : undefined;
    if (!ts) {
      const msg = scheduledReport(view, schedule, `posted at ${hhmm(ctx.now)} UTC because something changed`);
      const posted = await call('chat.postMessage', () =>
        deps.client.chat.postMessage({
          channel,
          ...msg,
          metadata: { event_type: SCHEDULED_STATUS_EVENT, event_payload: { report_id: pending.reportId } },
        }),
      );
      ts = posted.ts;
    }
    await deps.store.save({ view, channelId: channel, ...(ts ? { messageTs: ts } : {}), complete: true, shown: true });
    const remembered: StatusScheduleState = {
      ...(environment ? { environment } : {}),
      reportId: pending.reportId,
      fingerprint,
      ...(ts ? { messageTs: ts } : {}),
    };
    await ctx.commit((tx) => advanceSchedule(tx, 'status', channel, next(), remembered as Record<string, unknown>));
  };
  return async (schedule, ctx) => {
    try {
      await job(schedule, ctx);
    } catch (err) {
      // Slack will not take the channel's reports any more: the schedule ends rather than failing every interval.
      if (!channelGone(err)) throw err;
      deps.logger.warn(
        { channel: schedule.key, code: slackErrorCode(err) },
        'scheduled status stopped: Slack no longer takes posts in this channel',
      );
      await ctx.commit((tx) => deleteSchedule(tx, 'status', schedule.key));
    }
  };
}
