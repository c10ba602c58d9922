// Issue 16 through issue 14's egress: an alert group's message is posted once even when the replica dies between
// Slack's answer and saving the message's ts. The next replica reads the channel back (the post carries the group
// key in its metadata) and updates that message instead of posting a second one. Against the sandbox's Slack
// emulation and the real Postgres.
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertDelivery } from '../../src/alerts/delivery.ts';
import { applyNotification } from '../../src/alerts/store.ts';
import { webhookPayload } from '../../src/alerts/webhook.ts';
import { ALERT_GROUP_EVENT } from '../../src/delivery/alert-post.ts';
import { createLogger } from '../../src/logger.ts';
import { createMetrics } from '../../src/metrics.ts';
import { SANDBOX_BOT, startSandboxSlack, type SandboxSlack } from '../../src/sandbox/slack/server.ts';
import type { Db } from '../../src/store/db.ts';
import { dyingDb } from '../helpers/dying-db.ts';
import { testStateDb } from '../helpers/state.ts';
import { notification } from './notifications.ts';

const TOKEN = 'xoxb-alert-egress';
const CHANNEL = 'C0INCIDENT';

describe('alert group messages through the egress', () => {
  let state: { db: Db; drop(): Promise<void> };
  let slack: SandboxSlack;
  beforeAll(async () => {
    state = await testStateDb();
    slack = await startSandboxSlack({ botToken: TOKEN, signingSecret: 'alert-egress-secret' });
  });
  afterAll(async () => {
    await slack.close();
    await state.drop();
  });

  it('a replica killed between posting the group message and saving its ts leaves one message, found and updated by the next', async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
    const client = new WebClient(TOKEN, { slackApiUrl: slack.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
    const replica = (db: Db, workerId: string) =>
      createAlertDelivery({
        db,
        client,
        metrics: createMetrics(),
        logger,
        workerId,
        intervalMs: 0,
        sandbox: false,
        leaseMs: 300,
        postIntervalMs: 0,
        botId: SANDBOX_BOT.botId,
      });
    const apply = (alerts: Parameters<typeof notification>[0]) =>
      state.db.transaction((tx) =>
        applyNotification(tx, webhookPayload.parse(notification(alerts, { groupKey: 'crash-group' })), CHANNEL, new Date()),
      );
    await apply([{ name: 'CaracalAuditDLQNonEmpty' }]);

    const dying = dyingDb(state.db, (sql) => sql.includes('last_error = NULL, message_ts'));
    await replica(dying, 'replica-a')
      .flush()
      .catch(() => undefined); // the killed replica's own flush dies with it
    expect(dying.died()).toBe(true);
    const posted = slack.workspace.history(CHANNEL).filter((m) => m.botId);
    expect(posted).toHaveLength(1); // Slack has it; the database does not know its ts

    await apply([{ name: 'CaracalAuditDLQNonEmpty' }, { name: 'CaracalGatewayDown' }]); // the group changes meanwhile
    const b = replica(state.db, 'replica-b');
    const behind = async () =>
      (await state.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_groups WHERE delivered_version < version')).rows[0].n;
    for (let i = 0; i < 400 && (await behind()) > 0; i++) {
      await b.flush(); // nothing until replica A's lease has run out
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(await behind()).toBe(0);
    await b.stop();

    const tops = slack.workspace.history(CHANNEL).filter((m) => m.botId);
    expect(tops.map((m) => m.ts)).toEqual([posted[0].ts]); // one message, never a second post
    expect(tops[0].metadata).toEqual({ event_type: ALERT_GROUP_EVENT, event_payload: { group_key: 'crash-group' } });
    expect(tops[0].text).toContain('CaracalGatewayDown'); // updated in place to the newest state
    const [row] = (
      await state.db.query<{ message_ts: string; post_pending: boolean }>(
        `SELECT message_ts, post_pending FROM alert_groups WHERE group_key = 'crash-group'`,
      )
    ).rows;
    expect(row).toEqual({ message_ts: posted[0].ts, post_pending: false });
    expect(lines.some((l) => l.includes('already posted by an earlier attempt'))).toBe(true);
  });
});
