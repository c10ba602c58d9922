// Issue 18, floods through signed requests against the simulated Caracal: what reaches Caracal and Slack is
// counted (the simulated Caracal records every request; nock records every Slack call).
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesReady } from '../../src/checks/http/services-ready.ts';
import { startFakeCaracal, type FakeCaracal } from '../../src/sandbox/fake-caracal.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { captureSlackApi, startTestBot, testStateDb, type SlackCall, type TestBot } from '../helpers/slack.ts';

// Hundreds of signed requests on a shared, loaded machine: a minute each, not the default 20 s.
describe('floods (issue 18)', { timeout: 60_000 }, () => {
  let state: { db: Db; drop(): Promise<void> };
  let fake: FakeCaracal;
  let bot: TestBot;
  let calls: SlackCall[];
  const answers: { text?: string }[] = [];
  /** The bot's clock runs ahead by this much (a report's window ends without waiting for it). */
  let clockAheadMs = 0;

  beforeAll(async () => {
    state = await testStateDb();
    fake = await startFakeCaracal();
    bot = await startTestBot({
      db: state.db,
      checks: [servicesReady],
      realTargets: true,
      deps: { now: () => new Date(Date.now() + clockAheadMs) },
      // A long cache makes the count exact on a loaded machine (the burst may take longer than the default 10 s).
      file: {
        caracal: { services: fake.urls },
        limits: {
          resultCacheMs: 600_000,
          checksPerUserPerMinute: 6,
          checksPerChannelPerMinute: 20,
          notesPerUserPerMinute: 10,
          notesPerChannelPerMinute: 30,
        },
        recovery: { approvers: { users: ['U0ALICE'] }, startRuns: 'anyone' },
      },
    });
    calls = captureSlackApi();
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: { text?: string }) => {
        answers.push(b);
        return true;
      })
      .reply(200, 'ok');
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await fake.close();
    await state.drop();
  });

  const readyCalls = (service: 'api' | 'coordinator') => fake.requests.filter((r) => r.service === service && r.path === '/ready').length;

  it('130 /caracal status in a burst: one run of the checks reaches Caracal, the channel limit bounds the reports, the rest are told why', async () => {
    const users = Array.from({ length: 13 }, (_, i) => `U0USER${i}`);
    const responses: Response[] = [];
    for (let wave = 0; wave < 130; wave += 65) {
      responses.push(
        ...(await Promise.all(
          Array.from({ length: 65 }, (_, i) => bot.command('status', { user_id: users[(wave + i) % users.length], channel_id: 'C0FLOOD' })),
        )),
      );
    }
    expect(responses.every((r) => r.status === 200)).toBe(true);
    // Refusals ride on the acks (decided from memory): not one response_url request of their own. Pointers to the
    // report do too once this replica knows it; the ones that had to ask the database come to the response_url.
    const acks = await Promise.all(
      responses.map(async (r) => {
        const body = await r.text();
        return body ? (JSON.parse(body) as { text?: string }) : {};
      }),
    );
    await bot.bot.idle();
    expect(answers.filter((a) => /Slow down|This channel reached/.test(a.text ?? ''))).toHaveLength(0);
    answers.push(...acks.filter((a) => a.text));

    expect(readyCalls('api')).toBe(1);
    expect(readyCalls('coordinator')).toBe(1);
    // One report in the channel: the requests the channel limit lets through are answered by it, each told so.
    const reports = calls.filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0FLOOD' && !c.body.thread_ts);
    expect(reports).toHaveLength(1);
    const limit = bot.config.limits.checksPerChannelPerMinute;
    const joined = answers.filter((a) => /asked for a status report(?: of `[^`]+`)? at .*it answers yours/.test(a.text ?? ''));
    expect(joined).toHaveLength(limit - 1);
    const refusals = answers.filter((a) => /Slow down|This channel reached/.test(a.text ?? ''));
    expect(refusals).toHaveLength(130 - limit);
    expect(refusals[0]?.text).toMatch(/Try again in \d+ s/);
  });

  it('a second request within the window joins the first; after the window it gets its own report', async () => {
    const before = calls.length;
    await bot.command('status', { user_id: 'U0LATE', channel_id: 'C0OTHER' });
    await bot.bot.idle();
    await bot.command('status', { user_id: 'U0LATE2', channel_id: 'C0OTHER' });
    await bot.bot.idle();
    const posted = () =>
      calls.slice(before).filter((c) => c.method === 'chat.postMessage' && c.body.channel === 'C0OTHER' && !c.body.thread_ts);
    expect(posted()).toHaveLength(1); // the second joined the first
    // Outside the window (the test's cache is 10 minutes: age the first report instead of waiting), for the database
    // every replica asks and for this replica's memory of its own reports.
    await state.db.query(`UPDATE reports SET created_at = created_at - interval '1 hour' WHERE channel_id = 'C0OTHER'`);
    clockAheadMs = 3_600_000;
    await bot.command('status', { user_id: 'U0LATE3', channel_id: 'C0OTHER' });
    await bot.bot.idle();
    expect(posted()).toHaveLength(2);
  });

  it('300 notes in a burst: the per-person and channel limits bound the entries recorded and posted', async () => {
    const channel = 'C0NOTES';
    await bot.command('recover flood', { channel_id: channel, user_id: 'U0ALICE' });
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
    const runId = (await findRunId(state.db, channel, 'active'))!;
    const before = calls.length;
    // Every request saved in the inbox, counted as it is inserted (the rows go once handled).
    await state.db.exec(`
      CREATE TABLE inbox_saved (route text);
      CREATE FUNCTION count_inbox_saved() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO inbox_saved VALUES (NEW.route); RETURN NEW; END $$;
      CREATE TRIGGER count_inbox_saved AFTER INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION count_inbox_saved();`);
    const users = ['U0N1', 'U0N2', 'U0N3', 'U0N4', 'U0N5'];
    const acks: string[] = [];
    // In waves of 50 at once: one test process opening 300 sockets together meets its own connection limits.
    for (let wave = 0; wave < 300; wave += 50) {
      const answers = await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const res = await bot.command(`note spam ${wave + i}`, { user_id: users[(wave + i) % users.length], channel_id: channel });
          return res.text();
        }),
      );
      acks.push(...answers);
    }
    await bot.bot.idle();
    await bot.bot.flushDeliveries();

    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note');
    const limit = bot.config.limits.notesPerChannelPerMinute;
    expect(notes).toHaveLength(limit);
    // The refusals were decided from memory and answered in their acks; only the notes recorded were saved first.
    const refusedInAck = acks.filter((body) => /Slow down: you reached|This channel reached/.test(body));
    expect(refusedInAck).toHaveLength(300 - limit);
    const saved = await state.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM inbox_saved WHERE route = 'command:note'`);
    expect(saved.rows[0].n).toBe(limit);
    const threadPosts = calls
      .slice(before)
      .filter((c) => c.method === 'chat.postMessage' && c.body.channel === channel && c.body.thread_ts);
    expect(threadPosts).toHaveLength(limit);
  });
});
