// The scheduler across two replicas on one Postgres state database (issue 17): one runs the schedules at a time
// (a lease), a replica killed in the middle of a watch tick leaves its lease to run out and the other carries on;
// the killed one, if it wakes, cannot commit (fenced). Every change is posted once: no duplicate, none missing.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { captureSlackApi, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';
import {
  acceptResponseUrls,
  controllableChecks,
  deliverUntil,
  MIN,
  runAtGate,
  schedulerBot,
  settle,
  testClock,
  threadPosts,
} from './harness.ts';

describe('scheduler across two replicas (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let a: TestBot;
  let b: TestBot;
  let calls: SlackCall[];
  const clock = testClock();
  const probe = controllableChecks(['postgres.reachable', 'outbox.coordinator', 'redis.reachable']);
  const LEASE_MS = 60_000;

  beforeAll(async () => {
    state = await testStateDb();
    a = await schedulerBot(state.db, clock, probe.checks);
    b = await schedulerBot(state.db, clock, probe.checks);
    acceptResponseUrls();
    calls = captureSlackApi();
  });
  afterAll(async () => {
    nock.cleanAll();
    await a.stop();
    await b.stop();
    await state.drop();
  });

  it('a replica killed mid-tick: the other posts the change once, after the lease runs out; the killed one cannot commit', async () => {
    probe.set('postgres.reachable', 'pass'); // redis.reachable stays red: the gate is not all green, only changes
    const runId = await runAtGate(a, state.db, 'CREP', 'UDAN', clock);
    clock.advance(5 * MIN);
    expect(await a.bot.runSchedules()).toBeGreaterThan(0); // baseline, by whichever holds the lease: A
    expect(await b.bot.runSchedules()).toBe(0); // B waits: A's lease is live

    probe.set('outbox.coordinator', 'pass');
    clock.advance(5 * MIN);
    const held = probe.hold();
    const dying = a.bot.runSchedules(); // A stops inside the checks: as good as dead
    while (!held.reached()) await new Promise((r) => setTimeout(r, 5));
    expect(await b.bot.runSchedules()).toBe(0); // still A's lease
    clock.advance(LEASE_MS + 1000);
    expect(await b.bot.runSchedules()).toBeGreaterThan(0); // B takes over and runs the tick
    // Either replica's dispatcher may hold the run's delivery lease at this moment: deliver until the entry is out.
    await deliverUntil(() => threadPosts(calls, 'CREP', 'is green again').length > 0, a, b);
    expect(threadPosts(calls, 'CREP', 'is green again')).toHaveLength(1);

    held.release(); // A wakes with its stale lease: its commit is refused
    await dying;
    a.bot.abandonSchedules();
    await settle(a, b);
    const events = await listEvents(state.db, runId);
    expect(events.filter((e) => e.type === 'watch_changed')).toHaveLength(1);
    expect(threadPosts(calls, 'CREP', 'is green again')).toHaveLength(1);
    expect(a.logLines.some((l) => l.includes('scheduler lease lost'))).toBe(true);
  });

  it('a replica killed after its commit: the reminder it wrote is posted once, and the survivor does not write it again', async () => {
    const runId = await runAtGate(b, state.db, 'CKILL', 'UEVE', clock);
    // A is dead (abandoned above); a second bot plays the replica that dies after committing.
    const c = await schedulerBot(state.db, clock, probe.checks);
    clock.advance(LEASE_MS + 1000); // B's lease from the last test ran out: C may take it
    clock.advance(30 * MIN);
    await b.bot.stop(); // B leaves cleanly (hands the lease on)
    expect(await c.bot.runSchedules()).toBeGreaterThan(0);
    c.bot.abandonSchedules(); // killed right after the commit: its lease is left to run out
    b = await schedulerBot(state.db, clock, probe.checks);
    clock.advance(LEASE_MS + 1000);
    expect(await b.bot.runSchedules()).toBeGreaterThan(0);
    await deliverUntil(() => threadPosts(calls, 'CKILL', 'has had no activity for').length > 0, b, c);
    await settle(b, c);
    await c.stop();
    const reminders = (await listEvents(state.db, runId)).filter((e) => e.type === 'reminder' && e.data.stage === 'claimant');
    expect(reminders).toHaveLength(1);
    expect(threadPosts(calls, 'CKILL', 'has had no activity for').filter((p) => String(p.body.text).includes('<@UEVE>'))).toHaveLength(1);
  });
});
