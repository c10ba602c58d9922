// Watch (issue 17), end to end through signed Slack requests, the real Postgres and a clock the test moves: the open
// gate's checks run again on schedule, the thread hears only about changes (naming the claimant), and all green is
// recorded on the gate with a notice to the claimant and approvers, after which Confirm works.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import { parseWatch } from '../../src/commands/watch.ts';
import { formatInterval, parseInterval } from '../../src/domain/interval.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { loadRun } from '../../src/store/runs.ts';
import { captureSlackApi, runClick, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { acceptResponseUrls, controllableChecks, MIN, runAtGate, schedulerBot, settle, testClock, threadPosts } from './harness.ts';

describe('watch intervals', () => {
  it('reads on, off and bounded intervals, and says them back', () => {
    expect(parseWatch('on')).toEqual({ mode: 'on' });
    expect(parseWatch('OFF')).toEqual({ mode: 'off' });
    expect(parseWatch('2m')).toEqual({ mode: 'on', intervalMs: 2 * MIN });
    expect(parseWatch('90s')).toEqual({ mode: 'on', intervalMs: 90_000 });
    expect(parseWatch('10s')).toBeUndefined(); // below 30 s: Caracal's /ready budget is shared
    expect(parseWatch('soon')).toBeUndefined();
    expect(parseInterval('25h')).toBeUndefined();
    expect(formatInterval(90 * MIN)).toBe('1 h 30 min');
  });
});

describe('watch (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const clock = testClock();
  const probe = controllableChecks(['postgres.reachable', 'outbox.coordinator']);

  beforeAll(async () => {
    state = await testStateDb();
    bot = await schedulerBot(state.db, clock, probe.checks);
    acceptResponseUrls();
    calls = captureSlackApi();
  });
  afterAll(async () => {
    nock.cleanAll();
    await bot.stop();
    await state.drop();
  });
  const tick = async (ms: number) => {
    clock.advance(ms);
    await bot.bot.runSchedules();
    await settle(bot);
  };

  it('posts only changes, names the claimant, and records all green so the gate can be confirmed', async () => {
    probe.set('postgres.reachable', 'pass');
    const runId = await runAtGate(bot, state.db, 'CWATCH', 'UDAN', clock);
    await tick(5 * MIN); // first look: what it sees is the baseline
    const first = probe.calls();
    expect(first).toBeGreaterThan(0);
    await tick(5 * MIN); // nothing changed
    expect(probe.calls()).toBeGreaterThan(first);
    expect(threadPosts(calls, 'CWATCH', ':eyes:')).toEqual([]);
    const before = probe.calls();
    await tick(1 * MIN); // not due yet
    expect(probe.calls()).toBe(before);

    probe.set('outbox.coordinator', 'pass');
    await tick(4 * MIN);
    const [change] = threadPosts(calls, 'CWATCH', 'is green again');
    expect(String(change.body.text)).toContain('<@UDAN>');
    expect(String(change.body.text)).toContain('`outbox.coordinator` is green again at 03:15');
    const [ready] = threadPosts(calls, 'CWATCH', 'it can be confirmed');
    for (const who of ['<@UDAN>', '<@UALICE>', '<@UBOB>']) expect(String(ready.body.text)).toContain(who);
    const gate = (await loadRun(state.db, runId))!.gates.find((g) => g.gate === 'storage')!;
    expect(gate.checks.map((c) => c.status)).toEqual(['pass', 'pass']);

    await tick(5 * MIN); // still green: no second notice
    expect(threadPosts(calls, 'CWATCH', 'it can be confirmed')).toHaveLength(1);
    probe.set('outbox.coordinator', 'fail');
    await tick(5 * MIN);
    const [red] = threadPosts(calls, 'CWATCH', 'turned fail');
    expect(String(red.body.text)).toContain('`outbox.coordinator` turned fail (was pass) at 03:25: outbox.coordinator says fail');
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'watch_changed')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'watch_ready')).toHaveLength(1);
  });

  it('lets Confirm through on the evidence the watch recorded', async () => {
    probe.set('outbox.coordinator', 'fail');
    probe.set('postgres.reachable', 'pass');
    const runId = await runAtGate(bot, state.db, 'CCONF', 'UDAN', clock);
    await tick(5 * MIN);
    probe.set('outbox.coordinator', 'pass');
    await tick(5 * MIN);
    await bot.action(
      await runClick(state.db, runId, ACTION.gateConfirm, encodePayload(gateButtonPayload, { v: 1, runId, gate: 'storage' }), {
        user: 'UALICE',
      }),
    );
    await settle(bot);
    expect((await loadRun(state.db, runId))!.gates.find((g) => g.gate === 'storage')!.status).toBe('confirmed');
  });

  it('follows `/caracal watch off` and `/caracal watch 2m`, each logged', async () => {
    probe.set('outbox.coordinator', 'fail');
    const runId = await runAtGate(bot, state.db, 'CSET', 'UDAN', clock);
    await bot.command('watch off', { channel_id: 'CSET', user_id: 'UDAN' });
    await settle(bot);
    await bot.bot.runSchedules();
    await tick(5 * MIN);
    probe.set('outbox.coordinator', 'pass');
    await tick(5 * MIN);
    expect(threadPosts(calls, 'CSET', 'is green again')).toEqual([]);
    expect(threadPosts(calls, 'CSET', 'turned the watch off')).toHaveLength(1);

    await bot.command('watch 2m', { channel_id: 'CSET', user_id: 'UDAN' });
    await settle(bot);
    await bot.bot.runSchedules(); // due at once: a baseline
    await settle(bot);
    probe.set('outbox.coordinator', 'fail');
    await tick(1 * MIN);
    expect(threadPosts(calls, 'CSET', 'turned fail')).toEqual([]);
    await tick(1 * MIN);
    expect(threadPosts(calls, 'CSET', 'turned fail')).toHaveLength(1);
    expect(threadPosts(calls, 'CSET', 'set the watch to every 2 min')).toHaveLength(1);
    const set = (await listEvents(state.db, runId)).filter((e) => e.type === 'watch_set');
    expect(set.map((e) => e.data.mode)).toEqual(['off', 'on']);
  });
});
