// Runs a status report: posts "checking…" at once, updates the message in place as results arrive
// (coalesced to about once a second), then posts whatever did not fit as thread replies.
import type { WebClient } from '@slack/web-api';
import { statusReportMessage } from '../blocks/status-report.ts';
import type { StatusReport } from '../domain/report.ts';
import { overflowMessages } from '../blocks/status-details.ts';
import { runChecks } from '../checks/executor.ts';
import { worstStatus } from '../domain/check-result.ts';
import type { CheckRunner } from '../checks/shared-runner.ts';
import type { RequestLimits } from '../slack/request-limits.ts';
import type { CheckContext, CheckDefinition } from '../checks/types.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { channelGone, slackCall, slackErrorCode } from '../slack/slack-call.ts';
import { coalesce } from './coalesce.ts';
import type { RecentReports } from './recent-reports.ts';
import type { ReportStore, StoredReport } from '../domain/report.ts';

export interface StatusRunDeps {
  checks: readonly CheckDefinition[];
  context: CheckContext;
  store: ReportStore;
  metrics: Metrics;
  logger: Logger;
  timeoutMs: (checkId: string) => number;
  updateIntervalMs: number;
  sandbox: boolean;
  newId: () => string;
  /** The check context of a named environment (its own Caracal targets); without it, `context` for every report. */
  contextFor?: (environment: string) => CheckContext;
  /** Single-flight with a short result cache (issue 18); without it every report runs its own checks. */
  runner?: CheckRunner;
  /** Per-person and per-channel limits on reports (issue 18). */
  limits?: RequestLimits;
  /**
   * A `/caracal status` within this long of the channel's last full report of the same environment is answered by
   * that report (issue 18: a burst of requests is one report in the channel, not one each); 0: never.
   */
  joinWithinMs?: number;
  /** This replica's reports of a moment ago: a burst asks the database once, not once per request. */
  recent?: RecentReports;
}

/** `joined`: not run; the channel's recent report of the same checks answers the request. */
export type StatusRunOutcome = StoredReport & { joined?: true };

export interface StatusRunRequest {
  client: WebClient;
  channelId: string;
  requestedBy: string;
  /** Re-run: update this existing report message instead of posting a new one. */
  messageTs?: string;
  /** The Caracal deployment to check (config `environments`); named in the report. */
  environment?: string;
  /** A person's request for a new report: a recent one of the channel may answer it (deps.joinWithinMs). */
  joinRecent?: boolean;
  /**
   * Called once what can be decided without a network or database call is decided (the limits, this replica's
   * recent reports), before the first such call: an ack that carries quick answers is sent then.
   */
  decided?: () => Promise<void>;
}

export async function runStatusReport(deps: StatusRunDeps, req: StatusRunRequest): Promise<StatusRunOutcome> {
  const { client, channelId } = req;
  // Refused before anything is posted or run: a flood costs neither Slack nor Caracal.
  await deps.limits?.take('checks', req.requestedBy, channelId);
  const context = req.environment && deps.contextFor ? deps.contextFor(req.environment) : deps.context;
  const view: StatusReport = {
    reportId: deps.newId(),
    requestedBy: req.requestedBy,
    startedAt: context.now().toISOString(),
    planned: deps.checks.map((c) => ({ id: c.id, title: c.title })),
    results: [],
    sandbox: deps.sandbox,
    ...(req.environment ? { environment: req.environment } : {}),
  };
  const results = view.results as StatusReport['results'][number][];
  const stored: StoredReport = { view, channelId, complete: false };
  if (req.joinRecent && !req.messageTs && deps.joinWithinMs && deps.store.saveUnlessRecent) {
    const known = deps.recent?.find(channelId, req.environment);
    if (known) return { ...known, joined: true };
    // What memory could answer has been answered: the ack does not wait for the database.
    await req.decided?.();
    const joinWithinMs = deps.joinWithinMs;
    const ask = async (): Promise<StoredReport> => (await deps.store.saveUnlessRecent?.(stored, joinWithinMs)) ?? stored;
    const report = deps.recent ? await deps.recent.settle(channelId, req.environment, ask) : await ask();
    if (report !== stored) return { ...report, joined: true };
  }
  await req.decided?.();
  const first = statusReportMessage(view);
  let ts = req.messageTs;
  try {
    if (ts) {
      const messageTs = ts;
      await slackCall(deps.metrics, 'chat.update', () =>
        client.chat.update({ channel: channelId, ts: messageTs, text: first.text, blocks: first.blocks }),
      );
    } else {
      const posted = await slackCall(deps.metrics, 'chat.postMessage', () =>
        client.chat.postMessage({ channel: channelId, text: first.text, blocks: first.blocks }),
      );
      ts = posted.ts;
    }
  } catch (err) {
    if (channelGone(err)) {
      throw new UserFacingError('forbidden', 'I cannot post in this channel. Invite me with `/invite @Caracal` and try again.', {
        cause: err,
      });
    }
    throw err;
  }
  if (!ts) throw new Error('chat.postMessage returned no ts');
  const messageTs = ts;
  stored.messageTs = messageTs;
  await deps.store.save(stored);

  const log = deps.logger.child({ reportId: view.reportId, channelId });
  let lastUpdateOk = true;
  const updater = coalesce(
    deps.updateIntervalMs,
    async () => {
      const msg = statusReportMessage(view);
      lastUpdateOk = false;
      await slackCall(deps.metrics, 'chat.update', () =>
        client.chat.update({ channel: channelId, ts: messageTs, text: msg.text, blocks: msg.blocks }),
      );
      lastUpdateOk = true;
    },
    (err) => log.warn({ err: { message: (err as Error).message, code: slackErrorCode(err) } }, 'report update failed'),
  );
  if (deps.runner) {
    // Joined results were recorded by the run that produced them; the report says whose they are.
    await deps.runner.run(
      deps.checks,
      ({ result, shared, startedAt }) => {
        results.push(result);
        if (shared && (!view.sharedWith || startedAt.toISOString() < view.sharedWith)) view.sharedWith = startedAt.toISOString();
        updater.poke();
      },
      context,
    );
  } else {
    await runChecks(deps.checks, context, {
      timeoutMs: deps.timeoutMs,
      onResult: (result) => {
        results.push(result);
        deps.metrics.recordCheck(result, req.environment);
        updater.poke();
      },
    });
  }
  // Saved complete before the final update shows, so a Details click on the finished report always works.
  // Saved as not shown yet: if the final update fails (Slack down, 429, a crash), the report sweeper of any replica
  // shows it later, so "Checking…" never stays in the channel.
  await updater.finish(async () => {
    stored.complete = true;
    stored.shown = false;
    await deps.store.save(stored);
  });
  if (lastUpdateOk) {
    stored.shown = true;
    await deps.store.setShown?.(view.reportId, true);
  } else {
    log.warn('final report update failed; the report sweeper will show it');
    await deps.store.setShown?.(view.reportId, false, 2000);
  }

  for (const reply of overflowMessages(statusReportMessage(view).overflow, deps.sandbox)) {
    await slackCall(deps.metrics, 'chat.postMessage', () =>
      client.chat.postMessage({ channel: channelId, thread_ts: messageTs, text: reply.text, blocks: reply.blocks }),
    );
  }
  log.info({ verdict: worstStatus(results.map((r) => r.status)), updates: updater.flushes() }, 'status report complete');
  return stored;
}
