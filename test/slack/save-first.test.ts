// Issue 14 item 8, no lost click: a click or command that only writes to the bot's database is saved before it is
// acked (Slack never retries an acked request, so a replica killed right after an ack-first answer lost the click).
// The proof holds the run's row locked: the request must not be answered while its transaction waits, and its event
// is in the database the moment the answer arrives. Approver-only clicks save first only while the approver
// question needs no Slack call; the ack never waits past the save budget.
import nock from 'nock';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import { saveFirstGate, saveThenAck } from '../../src/slack/save-first.ts';
import { postgresDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { createTempDatabase } from '../helpers/pg.ts';
import { captureSlackApi, runClick, startTestBot, testStateDb, waitFor, type TestBot } from '../helpers/slack.ts';

/** Lock a run's row in another session until `release`; resolves once another session waits for it. */
async function holdRun(db: Db, url: string, runId: string): Promise<{ waiting(): Promise<boolean>; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('SELECT 1 FROM runs WHERE id = $1 FOR UPDATE', [runId]);
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
  return {
    waiting: async () =>
      (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [pid]))
        .rows[0].n > 0,
    release: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

describe('save before ack', () => {
  let state: { db: Db; url: string; drop(): Promise<void> };
  let bot: TestBot;
  const answers: string[] = [];
  beforeAll(async () => {
    const temp = await createTempDatabase('save_first');
    const db = postgresDb(temp.url);
    await migrate(db);
    state = {
      db,
      url: temp.url,
      drop: async () => {
        await db.close();
        await temp.drop();
      },
    };
    bot = await startTestBot({
      db: state.db,
      checks: [],
      file: { recovery: { approvers: { users: ['U0ALICE', 'U0BOB'] }, startRuns: 'anyone' } },
    });
    captureSlackApi();
    nock('https://hooks.slack.com')
      .persist()
      .post(/.*/, (b: { text?: string }) => {
        answers.push(b.text ?? '');
        return true;
      })
      .reply(200, 'ok');
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  async function startRun(channel: string): Promise<string> {
    await bot.command('recover save first', { channel_id: channel });
    await bot.bot.idle();
    await bot.bot.flushDeliveries();
    return (await findRunId(state.db, channel, 'active'))!;
  }

  /** Sends `request` while the run's row is locked; proves it is unanswered while its transaction waits. */
  async function answeredOnlyAfterSave(runId: string, request: () => Promise<Response>): Promise<Response> {
    const lock = await holdRun(state.db, state.url, runId);
    let answered = false;
    const pending = request().then((r) => {
      answered = true;
      return r;
    });
    try {
      for (let i = 0; i < 500 && !(await lock.waiting()); i++) await new Promise((r) => setTimeout(r, 5));
      expect(await lock.waiting()).toBe(true);
      expect(answered).toBe(false);
    } finally {
      await lock.release();
    }
    const res = await pending;
    expect(res.status).toBe(200);
    return res;
  }

  it('a note is in the incident log when its ack arrives, and its answer follows the ack', async () => {
    const runId = await startRun('CSAVE1');
    await answeredOnlyAfterSave(runId, () => bot.command('note restarted gateway-0 by hand', { channel_id: 'CSAVE1' }));
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note');
    expect(notes.map((e) => e.data.text)).toEqual(['restarted gateway-0 by hand']);
    await waitFor(() => answers.includes('Added to the incident log.'));
  });

  it('a claim is recorded when its ack arrives', async () => {
    const runId = await startRun('CSAVE2');
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    await answeredOnlyAfterSave(runId, async () =>
      bot.action(await runClick(state.db, runId, ACTION.gateClaim, value, { user: 'U0CAROL' })),
    );
    expect((await listEvents(state.db, runId)).filter((e) => e.type === 'gate_claimed').map((e) => e.actor)).toEqual(['U0CAROL']);
  });

  it('a confirm vote by a configured approver is recorded when its ack arrives', async () => {
    const runId = await startRun('CSAVE3');
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    await answeredOnlyAfterSave(runId, async () =>
      bot.action(await runClick(state.db, runId, ACTION.gateConfirm, value, { user: 'U0ALICE' })),
    );
    const types = (await listEvents(state.db, runId)).map((e) => e.type);
    expect(types.some((t) => t === 'confirm_vote' || t === 'gate_confirmed' || t === 'denied')).toBe(true);
  });
});

/** A gate that answers in the ack, recording what rode on the ack and what went to the response_url. */
function recordingGate() {
  const acks: (string | undefined)[] = [];
  const sent: string[] = [];
  const gate = saveFirstGate(
    (answer) => {
      acks.push(answer?.text);
      return Promise.resolve();
    },
    (m) => {
      sent.push(typeof m === 'string' ? m : (m.text ?? ''));
      return Promise.resolve(new Response(null));
    },
    true,
  );
  return { acks, sent, gate };
}

describe('save before ack, its limits', () => {
  it('an approver-only click acks first while the approver group must be asked from Slack', async () => {
    const state = await testStateDb();
    const bot = await startTestBot({
      db: state.db,
      checks: [],
      file: { recovery: { approvers: { users: [], userGroups: ['SSLOW'] }, startRuns: 'anyone' } },
    });
    let release: () => void = () => undefined;
    const slack = new Promise<void>((r) => (release = r));
    nock.cleanAll();
    nock('https://slack.com')
      .persist()
      .post('/api/usergroups.users.list')
      .reply(async () => {
        await slack;
        return [200, { ok: true, users: ['U0ALICE'] }];
      });
    captureSlackApi();
    nock('https://hooks.slack.com').persist().post(/.*/).reply(200, 'ok');
    try {
      await bot.command('recover slow group', { channel_id: 'CSAVE4' });
      await bot.bot.idle();
      const runId = (await findRunId(state.db, 'CSAVE4', 'active'))!;
      const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
      const res = await bot.action(await runClick(state.db, runId, ACTION.gateConfirm, value, { user: 'U0ALICE' }));
      expect(res.status).toBe(200); // acked while Slack has not answered the look-up
      release();
      await bot.bot.idle();
    } finally {
      release();
      await bot.stop();
      nock.cleanAll();
      await state.drop();
    }
  });

  it('acks once the budget is spent even if the save is still waiting, and the work then finishes', async () => {
    let finish: () => void = () => undefined;
    const work = new Promise<void>((r) => (finish = r));
    const order: string[] = [];
    const done = saveThenAck(
      () => {
        order.push('ack');
        return Promise.resolve();
      },
      () => Promise.resolve(new Response(null)),
      async () => {
        await work;
        order.push('saved');
      },
      { budgetMs: 20 },
    );
    await waitFor(() => order.includes('ack'));
    expect(order).toEqual(['ack']);
    finish();
    await done;
    expect(order).toEqual(['ack', 'saved']);
  });

  it('answers given before the ack are held and sent after it, in order', async () => {
    const sent: string[] = [];
    const gate = saveFirstGate(
      () => {
        sent.push('ack');
        return Promise.resolve();
      },
      (m) => {
        sent.push(typeof m === 'string' ? m : (m.text ?? ''));
        return Promise.resolve(new Response(null));
      },
    );
    await gate.respond('first');
    await gate.respond({ text: 'second' });
    expect(sent).toEqual([]);
    await gate.ack();
    await gate.respond('third');
    expect(sent).toEqual(['ack', 'first', 'second', 'third']);
  });

  it('with answerInAck, the first ephemeral answer given before the ack is the ack; the rest go to the response_url', async () => {
    const { acks, sent, gate } = recordingGate();
    await gate.respond({ response_type: 'ephemeral', replace_original: false, text: 'refused: slow down' });
    await gate.respond({ response_type: 'ephemeral', text: 'a second answer' });
    await gate.ack(); // once only
    expect(acks).toEqual(['refused: slow down']);
    expect(sent).toEqual(['a second answer']);
  });

  it('with answerInAck, an answer that replaces a message or is public never rides on the ack', async () => {
    const { acks, sent, gate } = recordingGate();
    await gate.respond({ response_type: 'ephemeral', replace_original: true, text: 'replacement' });
    await gate.respond({ response_type: 'in_channel', text: 'public' });
    expect(acks).toEqual([]);
    await gate.ack();
    expect(acks).toEqual([undefined]);
    expect(sent).toEqual(['replacement', 'public']);
  });
});
