// Issue 14 item 8, no lost click: a click or command that only writes to the bot's database is saved in the inbox
// before it is acked (Slack never retries an acked request, so a replica killed right after an ack-first answer lost
// the click). The proof holds the run's row locked: the request is acked while its decision waits for the lock, and
// it is in the inbox by then; released, the decision is recorded and the inbox row goes. A request whose replica died
// after the ack is handled by another replica's sweep, once even if its replica had handled it. Approver-only
// clicks save first only while the approver question needs no Slack call.
import nock from 'nock';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTION } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import { postgresDb, type Db } from '../../src/store/db.ts';
import { migrate } from '../../src/store/migrate.ts';
import { listEvents } from '../../src/store/events.ts';
import { saveRequests } from '../../src/store/inbox.ts';
import { SAVE_BUDGET_MS } from '../../src/slack/inbox.ts';
import { findRunId } from '../../src/store/runs.ts';
import { createTempDatabase } from '../helpers/pg.ts';
import {
  addToLogShortcut,
  BOT_TOKEN,
  captureSlackApi,
  runClick,
  startTestBot,
  testStateDb,
  waitFor,
  type TestBot,
} from '../helpers/slack.ts';

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

  const inboxRows = async () =>
    (await state.db.query<{ route: string; body: { trigger_id?: string } }>('SELECT route, body FROM inbox ORDER BY received_at')).rows;
  const inboxEmpty = async () => {
    for (let i = 0; i < 500 && (await inboxRows()).length > 0; i++) await new Promise((r) => setTimeout(r, 10));
    return (await inboxRows()).length === 0;
  };

  /** Sends `request` while the run's row is locked: it is acked, and saved, while its decision waits for the lock. */
  async function savedThenDecided(runId: string, route: string, request: () => Promise<Response>): Promise<void> {
    const lock = await holdRun(state.db, state.url, runId);
    try {
      const res = await request();
      expect(res.status).toBe(200);
      expect((await inboxRows()).map((r) => r.route)).toEqual([route]);
      for (let i = 0; i < 500 && !(await lock.waiting()); i++) await new Promise((r) => setTimeout(r, 5));
      expect(await lock.waiting()).toBe(true); // the decision comes after the ack
    } finally {
      await lock.release();
    }
    expect(await inboxEmpty()).toBe(true);
  }

  /** A request as a replica killed right after its ack leaves it: saved, its hold run out, not handled. */
  async function leftByDeadReplica(route: string, body: Record<string, unknown>): Promise<void> {
    await saveRequests(state.db, [{ id: randomUUID(), route, body, attempts: 0 }], -1000);
  }

  it('a note is acked once saved, and is in the incident log with its answer once its run is free', async () => {
    const runId = await startRun('CSAVE1');
    await savedThenDecided(runId, 'command:note', () => bot.command('note restarted gateway-0 by hand', { channel_id: 'CSAVE1' }));
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note');
    expect(notes.map((e) => e.data.text)).toEqual(['restarted gateway-0 by hand']);
    await waitFor(() => answers.includes('Added to the incident log.'));
  });

  it('a claim is acked once saved, and recorded once its run is free', async () => {
    const runId = await startRun('CSAVE2');
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    await savedThenDecided(runId, `action:${ACTION.gateClaim}`, async () =>
      bot.action(await runClick(state.db, runId, ACTION.gateClaim, value, { user: 'U0CAROL' })),
    );
    expect((await listEvents(state.db, runId)).filter((e) => e.type === 'gate_claimed').map((e) => e.actor)).toEqual(['U0CAROL']);
  });

  it('a request is saved and acked while decisions hold every connection of the pool, waiting for a run', async () => {
    const runId = await startRun('CSAVE4');
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    const clicks = await Promise.all(
      Array.from({ length: 12 }, (_, i) => runClick(state.db, runId, ACTION.gateClaim, value, { user: `U0CROWD${i}` })),
    );
    const lock = await holdRun(state.db, state.url, runId);
    try {
      await Promise.all(clicks.map((click) => bot.action(click)));
      // The pool holds 10 connections: every one of them is a decision waiting for the run.
      const waiting = async () =>
        (await state.db.forAcks.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock'`))
          .rows[0].n;
      for (let i = 0; i < 500 && (await waiting()) < 10; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await waiting()).toBe(10);
      const started = Date.now();
      expect((await bot.command('note acked while the run is busy', { channel_id: 'CSAVE4' })).status).toBe(200);
      // Before its own connections, the save queued behind the decisions: acked unsaved once its budget ran out.
      expect(Date.now() - started).toBeLessThan(SAVE_BUDGET_MS);
      // Read on the ack path's own connections: every other one is taken.
      const saved = await state.db.forAcks.query<{ route: string }>('SELECT route FROM inbox');
      expect(saved.rows.filter((r) => r.route === 'command:note')).toHaveLength(1);
    } finally {
      await lock.release();
    }
    expect(await inboxEmpty()).toBe(true);
  });

  it('a note or shortcut refused from memory (no text) is answered and never saved', async () => {
    await startRun('CSAVE9');
    // Every request saved, counted as it is inserted (the rows go once handled).
    await state.db.exec(`
      CREATE TABLE inbox_saved (route text);
      CREATE FUNCTION count_inbox_saved() RETURNS trigger LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO inbox_saved VALUES (NEW.route); RETURN NEW; END $$;
      CREATE TRIGGER count_inbox_saved AFTER INSERT ON inbox FOR EACH ROW EXECUTE FUNCTION count_inbox_saved();`);
    try {
      const res = await bot.command('note', { channel_id: 'CSAVE9' });
      expect(await res.text()).toContain('Write the note after the command'); // in the ack
      const shortcut = addToLogShortcut('CSAVE9', { ts: '1764320000.9', text: '' }, { triggerId: '9.9.9' });
      expect((await bot.action(shortcut)).status).toBe(200);
      await waitFor(() => answers.includes('That message has no text to add.'));
      await bot.bot.idle();
      expect((await state.db.query('SELECT route FROM inbox_saved')).rows).toEqual([]);
    } finally {
      await state.db.exec('DROP TRIGGER count_inbox_saved ON inbox; DROP FUNCTION count_inbox_saved(); DROP TABLE inbox_saved;');
    }
  });

  it('a confirm vote by a configured approver is acked once saved, and recorded once its run is free', async () => {
    const runId = await startRun('CSAVE3');
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    await savedThenDecided(runId, `action:${ACTION.gateConfirm}`, async () =>
      bot.action(await runClick(state.db, runId, ACTION.gateConfirm, value, { user: 'U0ALICE' })),
    );
    const types = (await listEvents(state.db, runId)).map((e) => e.type);
    expect(types.some((t) => t === 'confirm_vote' || t === 'gate_confirmed' || t === 'denied')).toBe(true);
  });

  it('a note its replica acked and never handled is handled by a sweep, and its author answered', async () => {
    const runId = await startRun('CSAVE5');
    const before = answers.length;
    await leftByDeadReplica('command:note', {
      team_id: 'T0TEST',
      channel_id: 'CSAVE5',
      user_id: 'U0ALICE',
      command: '/caracal',
      text: 'note acked by a replica that died',
      response_url: 'https://hooks.slack.com/commands/T0TEST/1/dead',
      trigger_id: '77.1.1',
    });
    await bot.bot.sweepInbox();
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note');
    expect(notes.map((e) => e.data.text)).toEqual(['acked by a replica that died']);
    expect(answers.slice(before)).toContain('Added to the incident log.');
    expect(await inboxRows()).toEqual([]);
  });

  it('a claim its replica acked and never handled is applied by a sweep', async () => {
    const runId = await startRun('CSAVE6');
    const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
    await leftByDeadReplica(`action:${ACTION.gateClaim}`, await runClick(state.db, runId, ACTION.gateClaim, value, { user: 'U0DAVE' }));
    await bot.bot.sweepInbox();
    expect((await listEvents(state.db, runId)).filter((e) => e.type === 'gate_claimed').map((e) => e.actor)).toEqual(['U0DAVE']);
    expect(await inboxRows()).toEqual([]);
  });

  it('a request handled by its replica and again by a sweep (killed before the row was deleted) is applied once', async () => {
    const runId = await startRun('CSAVE7');
    const command = { channel_id: 'CSAVE7', trigger_id: '88.1.1' };
    await bot.command('note only once', command);
    await waitFor(() => answers.includes('Added to the incident log.'));
    expect(await inboxEmpty()).toBe(true);
    await leftByDeadReplica('command:note', {
      ...command,
      user_id: 'U0ALICE',
      text: 'note only once',
      response_url: 'https://hooks.slack.com/x',
    });
    await bot.bot.sweepInbox();
    const notes = (await listEvents(state.db, runId)).filter((e) => e.type === 'note' && e.data.text === 'only once');
    expect(notes).toHaveLength(1);
    expect(await inboxRows()).toEqual([]);
  });

  it('a saved request holds no configured secret and no verification token', async () => {
    const runId = await startRun('CSAVE9');
    const lock = await holdRun(state.db, state.url, runId);
    try {
      const res = await bot.command(`note pasted by mistake: ${BOT_TOKEN}`, { channel_id: 'CSAVE9' });
      expect(res.status).toBe(200);
      const [row] = (await state.db.query<{ body: Record<string, unknown> }>('SELECT body FROM inbox')).rows;
      expect(row?.body.text).toBe('note pasted by mistake: [REDACTED]');
      expect(row?.body).not.toHaveProperty('token');
      expect(JSON.stringify(row?.body)).not.toContain(BOT_TOKEN);
    } finally {
      await lock.release();
    }
    expect(await inboxEmpty()).toBe(true);
  });

  it('a saved click keeps what its handler reads, not the clicked message’s blocks', async () => {
    const runId = await startRun('CSAVE8');
    const lock = await holdRun(state.db, state.url, runId);
    try {
      const value = encodePayload(gateButtonPayload, { v: 1, runId, gate: 'freeze' });
      const click = await runClick(state.db, runId, ACTION.gateClaim, value, { user: 'U0ERIN' });
      (click.message as { blocks: unknown[] }).blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'a large dashboard' } }];
      expect((await bot.action(click)).status).toBe(200);
      const [row] = (await state.db.query<{ body: { message: Record<string, unknown>; actions: unknown[] } }>('SELECT body FROM inbox'))
        .rows;
      const { blocks: _blocks, ...kept } = click.message as Record<string, unknown>;
      expect(row?.body.message).toEqual(kept);
      expect(row?.body.actions).toEqual(click.actions);
    } finally {
      await lock.release();
    }
    expect(await inboxEmpty()).toBe(true);
  });
});

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
});
