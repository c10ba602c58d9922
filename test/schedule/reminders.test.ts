// Reminders and stale gates (issue 17), end to end with a clock the test moves: a quiet claimed gate reminds its
// claimant in the thread, then offers the channel to release the claim (a button that works), and a quiet run asks
// the channel whether it is still active. Each reminder is an event, written once per quiet spell.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { loadRun } from '../../src/store/runs.ts';
import { blocksOf, buttonClick, captureSlackApi, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import { acceptResponseUrls, controllableChecks, MIN, runAtGate, schedulerBot, settle, testClock, threadPosts } from './harness.ts';

describe('reminders and stale gates (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  let calls: SlackCall[];
  const clock = testClock();
  const probe = controllableChecks(['postgres.reachable']);

  beforeAll(async () => {
    state = await testStateDb();
    // Watch off by default here (a long interval): only reminders speak.
    bot = await schedulerBot(state.db, clock, probe.checks, { schedules: { pollSeconds: 3600, watch: { everyMinutes: 24 * 60 } } });
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
  const reminders = async (runId: string) => (await listEvents(state.db, runId)).filter((e) => e.type === 'reminder');

  it('reminds the claimant after 30 quiet minutes, once, and a note starts a new quiet spell', async () => {
    const runId = await runAtGate(bot, state.db, 'CREM', 'UDAN', clock);
    await tick(29 * MIN);
    expect(await reminders(runId)).toEqual([]);
    await tick(1 * MIN);
    await tick(1 * MIN); // the next sweep finds it already sent
    const [entry] = threadPosts(calls, 'CREM', 'has had no activity for');
    expect(String(entry.body.text)).toContain('<@UDAN>');
    expect(entry.body.reply_broadcast).toBeUndefined(); // the thread only
    expect((await reminders(runId)).map((e) => e.data.stage)).toEqual(['claimant']);

    await bot.command('note still on it, waiting for the DBA', { channel_id: 'CREM', user_id: 'UDAN' });
    await settle(bot);
    await tick(29 * MIN);
    expect(await reminders(runId)).toHaveLength(1);
    await tick(1 * MIN);
    expect((await reminders(runId)).map((e) => e.data.stage)).toEqual(['claimant', 'claimant']);
  });

  it('offers the channel to release a claim quiet for another 30 minutes, and the button releases it', async () => {
    const runId = await runAtGate(bot, state.db, 'CREL', 'UDAN', clock);
    await tick(30 * MIN);
    await tick(30 * MIN);
    const [offer] = threadPosts(calls, 'CREL', 'Release the claim');
    expect(offer.body.reply_broadcast).toBe('true'); // shown in the channel too
    const button = blocksOf(offer)
      .flatMap((b) => (b.elements as { action_id?: string; value?: string }[] | undefined) ?? [])
      .find((e) => e.action_id === ACTION.gateRelease)!;
    expect(button).toBeDefined();

    await bot.action(buttonClick(ACTION.gateRelease, button.value!, { user: 'UMAL', channel: 'CREL', messageTs: String(offer.reply.ts) }));
    await settle(bot);
    expect((await loadRun(state.db, runId))!.gates.find((g) => g.gate === 'storage')!.claimedBy).toBe('UDAN'); // a bystander cannot
    await bot.action(buttonClick(ACTION.gateRelease, button.value!, { user: 'UBOB', channel: 'CREL', messageTs: String(offer.reply.ts) }));
    await settle(bot);
    expect((await loadRun(state.db, runId))!.gates.find((g) => g.gate === 'storage')!.claimedBy).toBeUndefined(); // an approver can
    expect(threadPosts(calls, 'CREL', 'released the claim')).toHaveLength(1);
    await bot.action(
      buttonClick(ACTION.gateRelease, button.value!, { user: 'UBOB', channel: 'COTHER', messageTs: String(offer.reply.ts) }),
    );
    await settle(bot);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'gate_released')).toHaveLength(1);
  });

  it('asks the channel whether a quiet run is still active', async () => {
    const runId = await runAtGate(bot, state.db, 'CIDLE', 'UDAN', clock);
    await tick(119 * MIN);
    expect(threadPosts(calls, 'CIDLE', 'Is it still active?')).toEqual([]);
    await tick(1 * MIN);
    await tick(5 * MIN);
    const asked = threadPosts(calls, 'CIDLE', 'Is it still active?');
    expect(asked).toHaveLength(1);
    expect(asked[0].body.reply_broadcast).toBe('true');
    expect((await reminders(runId)).filter((e) => e.data.stage === 'run_idle')).toHaveLength(1);
  });
});
