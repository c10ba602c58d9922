// The run's dashboard message: posted once, then updated in place. Posting is idempotent across a crash: the run
// is marked "post pending" before the call, the message carries the run id in its metadata, and a run still
// marked pending (the replica died between Slack's answer and saving the ts) is looked up in the channel first.
import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RunState } from '../domain/run.ts';
import { classifySlackError, slackCall } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { setDashboardTs } from '../store/runs.ts';
import { clearPostPending, markPostPending } from './post-pending.ts';
import { findEarlierPost } from './readback.ts';

export const DASHBOARD_EVENT = 'caracal_run_dashboard';
const LOOKBACK = 100;

type Rendered = { text: string; blocks: KnownBlock[] };

export function dashboardMetadata(runId: string): { event_type: string; event_payload: { run_id: string } } {
  return { event_type: DASHBOARD_EVENT, event_payload: { run_id: runId } };
}

export function createDashboardPoster(deps: { db: Db; client: WebClient; metrics: Metrics; logger: Logger; botId?: string }) {
  const { db, client, metrics, logger } = deps;

  /** A failure that may pass is thrown: the delivery is retried later, still marked pending. */
  const findPosted = (run: RunState): Promise<string | undefined> =>
    findEarlierPost(
      client,
      metrics,
      {
        channel: run.channelId,
        eventType: DASHBOARD_EVENT,
        key: 'run_id',
        value: run.id,
        lookback: LOOKBACK,
        since: run.startedAt,
        ...(deps.botId ? { botId: deps.botId } : {}),
      },
      (code) => logger.warn({ runId: run.id, code }, 'cannot look for an earlier dashboard post; posting it'),
    );

  async function post(run: RunState, msg: Rendered, hold: () => Promise<void>): Promise<void> {
    if (await markPostPending(db, 'dashboard', run.id)) {
      const found = await findPosted(run);
      if (found) {
        logger.info({ runId: run.id, ts: found }, 'dashboard already posted by an earlier attempt; updating it instead of posting again');
        await saveTs(run, found);
        return update(run, msg, hold);
      }
    }
    await hold();
    const posted = await slackCall(metrics, 'chat.postMessage', () =>
      client.chat.postMessage({ channel: run.channelId, ...msg, metadata: dashboardMetadata(run.id) }),
    );
    if (!posted.ts) throw new Error('chat.postMessage returned no ts');
    await saveTs(run, posted.ts);
  }

  async function saveTs(run: RunState, ts: string): Promise<void> {
    await setDashboardTs(db, run.id, ts);
    await clearPostPending(db, 'dashboard', run.id);
    run.dashboardTs = ts;
  }

  async function update(run: RunState, msg: Rendered, hold: () => Promise<void>): Promise<void> {
    await hold();
    try {
      await slackCall(metrics, 'chat.update', () => client.chat.update({ channel: run.channelId, ts: run.dashboardTs!, ...msg }));
    } catch (err) {
      if (classifySlackError(err) !== 'gone') throw err;
      logger.warn({ runId: run.id }, 'dashboard message was deleted; posting it again');
      await clearPostPending(db, 'dashboard', run.id); // the old one is gone: do not find it
      await post(run, msg, hold);
    }
  }

  return {
    /** Post the dashboard if the run has none yet, else update it in place (posting again if it was deleted). */
    deliver: (run: RunState, msg: Rendered, hold: () => Promise<void>): Promise<void> =>
      run.dashboardTs ? update(run, msg, hold) : post(run, msg, hold),
  };
}
