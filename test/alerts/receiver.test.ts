import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { blocksOf, captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { ALERT_TOKEN, notification, postNotification } from './notifications.ts';

const count = async (db: Db, table: string) => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
const messages = (calls: SlackCall[]) => calls.filter((c) => c.method === 'chat.postMessage' || c.method === 'chat.update');

describe('POST /alertmanager', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const start = (updateIntervalMs = 60_000) =>
    startTestBot({
      db: state.db,
      checks: [],
      file: { alerts: { channel: 'C0OPS', updateIntervalMs, maxBodyBytes: 64 * 1024 } },
      env: { ALERTMANAGER_WEBHOOK_TOKEN: ALERT_TOKEN },
    });

  beforeAll(async () => {
    state = await testStateDb();
  });
  beforeEach(async () => {
    await state.db.exec('TRUNCATE alerts, alert_groups');
    calls = captureSlackApi();
    bot = await start();
  });
  afterEach(async () => {
    await bot.stop();
    nock.cleanAll();
  });
  afterAll(async () => {
    await state.drop();
  });

  it('refuses a missing or wrong bearer token with 401 and stores nothing', async () => {
    const body = notification([{ name: 'CaracalAuditDLQNonEmpty' }]);
    expect((await postNotification(bot.url, body, null)).status).toBe(401);
    expect((await postNotification(bot.url, body, 'wrong-token')).status).toBe(401);
    expect((await postNotification(bot.url, body, `${ALERT_TOKEN}x`)).status).toBe(401);
    const basic = await fetch(`${bot.url}/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Basic ${ALERT_TOKEN}` },
      body: JSON.stringify(body),
    });
    expect(basic.status).toBe(401);
    expect(await count(state.db, 'alert_groups')).toBe(0);
    await bot.bot.flushAlerts();
    expect(messages(calls)).toHaveLength(0);
  });

  it('refuses malformed and oversized payloads with 4xx and stores nothing', async () => {
    expect((await postNotification(bot.url, '{"version":"4",')).status).toBe(400);
    expect((await postNotification(bot.url, { ...notification([{ name: 'CaracalAuditDLQNonEmpty' }]), version: '3' })).status).toBe(422);
    expect((await postNotification(bot.url, { ...notification([{ name: 'CaracalAuditDLQNonEmpty' }]), alerts: [] })).status).toBe(422);
    const noName = notification([{ name: 'CaracalAuditDLQNonEmpty' }]);
    delete (noName.alerts as Record<string, Record<string, string>>[])[0].labels.alertname;
    expect((await postNotification(bot.url, noName)).status).toBe(422);
    const big = notification([{ name: 'CaracalAuditDLQNonEmpty', labels: { junk: 'x'.repeat(4000) } }]);
    (big.alerts as unknown[]).push(...Array.from({ length: 40 }, () => (big.alerts as unknown[])[0]));
    expect((await postNotification(bot.url, big)).status).toBe(413);
    expect(await count(state.db, 'alert_groups')).toBe(0);
    await bot.bot.flushAlerts();
    expect(messages(calls)).toHaveLength(0);
  });

  it('posts one message per group with summary, failure-matrix row, checks and buttons, then updates it in place', async () => {
    const firing = notification([{ name: 'CaracalAuditDLQNonEmpty' }], { groupKey: 'g-dlq' });
    expect((await postNotification(bot.url, firing)).status).toBe(200);
    await bot.bot.flushAlerts();
    const [post] = messages(calls);
    expect(post.method).toBe('chat.postMessage');
    expect(post.body.channel).toBe('C0OPS');
    const text = JSON.stringify(blocksOf(post));
    expect(text).toContain('CaracalAuditDLQNonEmpty');
    expect(text).toContain('Audit dead-letter queue is non-empty');
    expect(text).toContain('Failure matrix: Audit unhealthy');
    expect(text).toContain('`audit.dlq`');
    expect(text).toContain('Drain audit replay, DLQ and outboxes');
    expect(text).toContain('Run these checks');
    expect(text).toContain('Start recovery run');

    const resolved = notification([{ name: 'CaracalAuditDLQNonEmpty', status: 'resolved' }], { groupKey: 'g-dlq' });
    expect((await postNotification(bot.url, resolved)).status).toBe(200);
    await bot.bot.flushAlerts();
    const all = messages(calls);
    expect(all.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(all[1].body.ts).toBe(post.reply.ts);
    expect(JSON.stringify(blocksOf(all[1]))).toContain('~*CaracalAuditDLQNonEmpty*~');
    expect(String(all[1].body.text)).toContain('All alerts resolved');
  });

  it("shows alerts that are not Caracal's plainly, with no buttons", async () => {
    await postNotification(bot.url, notification([{ name: 'NodeDiskFull', labels: { severity: 'page' } }], { groupKey: 'g-node' }));
    await bot.bot.flushAlerts();
    const text = JSON.stringify(blocksOf(messages(calls)[0]));
    expect(text).toContain('NodeDiskFull');
    expect(text).not.toContain('Run these checks');
    expect(text).not.toContain('Failure matrix');
  });

  it("a storm of 200 notifications for one group gives one message and at most the coalescer's updates", async () => {
    const started = Date.now();
    const names = ['CaracalGatewayRevocationSnapshotStale'];
    // Every notification changes the group (a new pod fires), so none is a no-op repeat.
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        postNotification(
          bot.url,
          notification(
            names.map((name) => ({ name, labels: { pod: `caracal-gateway-${i}` } })),
            { groupKey: 'g-storm' },
          ),
        ).then((r) => expect(r.status).toBe(200)),
      ),
    );
    const elapsed = Date.now() - started;
    await bot.bot.flushAlerts();
    const sent = messages(calls);
    expect(sent.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
    // One update per interval at most (60 s here), plus the final flush.
    expect(sent.filter((c) => c.method === 'chat.update').length).toBeLessThanOrEqual(1 + Math.ceil(elapsed / 60_000));
    expect(String(sent.at(-1)!.body.text)).toContain('200 alerts firing');
    // Alertmanager's repeats change nothing: no further Slack calls.
    for (let i = 0; i < 20; i++)
      await postNotification(bot.url, notification([{ name: names[0], labels: { pod: 'caracal-gateway-7' } }], { groupKey: 'g-storm' }));
    await bot.bot.flushAlerts();
    expect(messages(calls)).toHaveLength(sent.length);
  });

  it('a stale "firing" after "resolved" does not reopen the alert; a later episode does', async () => {
    const key = { groupKey: 'g-order' };
    await postNotification(bot.url, notification([{ name: 'CaracalAPIOutboxDeadMessages' }], key));
    await postNotification(bot.url, notification([{ name: 'CaracalAPIOutboxDeadMessages', status: 'resolved' }], key));
    const stale = await postNotification(bot.url, notification([{ name: 'CaracalAPIOutboxDeadMessages' }], key));
    expect(await stale.json()).toEqual({ ok: true, changes: 0 });
    await bot.bot.flushAlerts();
    expect((await state.db.query<{ status: string }>('SELECT status FROM alerts')).rows).toEqual([{ status: 'resolved' }]);
    expect(String(messages(calls).at(-1)!.body.text)).toContain('All alerts resolved');

    await postNotification(bot.url, notification([{ name: 'CaracalAPIOutboxDeadMessages', startsAt: '2026-11-30T04:00:00Z' }], key));
    await bot.bot.flushAlerts();
    expect((await state.db.query<{ status: string }>('SELECT status FROM alerts')).rows).toEqual([{ status: 'firing' }]);
    expect(String(messages(calls).at(-1)!.body.text)).toContain('1 alert firing');
    expect(messages(calls).filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);
  });

  it('after a restart between two notifications of a group, the message is updated, not posted again', async () => {
    await postNotification(bot.url, notification([{ name: 'CaracalAuditTamperDetected' }], { groupKey: 'g-restart' }));
    await bot.bot.flushAlerts();
    const first = messages(calls)[0];
    await bot.stop();
    bot = await start();
    await postNotification(bot.url, notification([{ name: 'CaracalAuditTamperDetected', status: 'resolved' }], { groupKey: 'g-restart' }));
    await bot.bot.flushAlerts();
    const all = messages(calls);
    expect(all.map((c) => c.method)).toEqual(['chat.postMessage', 'chat.update']);
    expect(all[1].body.ts).toBe(first.reply.ts);
  });

  it('routes by component or severity, and refuses (503) what has no channel', async () => {
    await bot.stop();
    bot = await startTestBot({
      db: state.db,
      checks: [],
      file: {
        alerts: {
          routes: [
            { component: 'audit', channel: 'C0AUDIT' },
            { severity: 'critical', channel: 'C0PAGE' },
          ],
        },
      },
      env: { ALERTMANAGER_WEBHOOK_TOKEN: ALERT_TOKEN },
    });
    expect((await postNotification(bot.url, notification([{ name: 'CaracalAuditDLQNonEmpty' }], { groupKey: 'a' }))).status).toBe(200);
    expect((await postNotification(bot.url, notification([{ name: 'CaracalGatewaySTSCircuitOpen' }], { groupKey: 'b' }))).status).toBe(200);
    expect((await postNotification(bot.url, notification([{ name: 'CaracalSTSPolicyBundleStale' }], { groupKey: 'c' }))).status).toBe(503);
    await bot.bot.flushAlerts();
    expect(
      messages(calls)
        .map((c) => c.body.channel)
        .sort(),
    ).toEqual(['C0AUDIT', 'C0PAGE']);
  });
});
