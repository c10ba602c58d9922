// The inbox's own edges (slack/inbox.ts), on a real state database: a burst is saved in a few INSERTs; a save that
// hangs never holds the ack past its budget; a request that keeps failing is given up after five takeovers, one with
// no handler is dropped, both at error level; and a request still held by its replica is never taken.
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import type { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInbox } from '../../src/slack/inbox.ts';
import type { Db } from '../../src/store/db.ts';
import { countInbox, saveRequests } from '../../src/store/inbox.ts';
import { stateGauges } from '../../src/wiring/operations.ts';
import { testStateDb } from '../helpers/slack.ts';

describe('the request inbox', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as { level: number; msg: string }) });
  const answered: string[] = [];
  const fetch = ((url: string) => {
    answered.push(url);
    return Promise.resolve(new Response('ok'));
  }) as unknown as typeof globalThis.fetch;
  const inboxOn = (db: Db, holdMs = 10_000) => createInbox({ db, logger, fetch, client: () => ({}) as WebClient, scrub: (t) => t, holdMs });
  const clear = () => state.db.query('DELETE FROM inbox');

  it('saves a burst of requests in a few INSERTs, acks each once saved, and deletes each once handled', async () => {
    await clear();
    let inserts = 0;
    const counting: Db = {
      ...state.db,
      query: (sql, params) => {
        if (sql.includes('INSERT INTO inbox')) inserts++;
        return state.db.query(sql, params);
      },
    };
    const inbox = inboxOn(counting);
    const seenAtAck: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        inbox.receive(
          'command:note',
          { text: `note ${i}` },
          async () => {
            seenAtAck.push(await countInbox(state.db));
          },
          () => Promise.resolve(),
        ),
      ),
    );
    expect(inserts).toBeLessThanOrEqual(2);
    expect(seenAtAck.every((n) => n >= 1)).toBe(true); // each ack came after its own save
    expect(await countInbox(state.db)).toBe(0);
  });

  it('acks within the budget when the save hangs, and still handles the request', async () => {
    const hanging: Db = { ...state.db, query: () => new Promise(() => undefined) };
    const inbox = inboxOn(hanging);
    const order: string[] = [];
    const started = Date.now();
    const receiving = inbox.receive(
      'command:note',
      {},
      () => {
        order.push('ack');
        return Promise.resolve();
      },
      () => {
        order.push('work');
        return Promise.resolve();
      },
    );
    // The save never answers: receive itself waits for it before deleting, so only the ack and the work are awaited.
    for (let i = 0; i < 300 && order.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['ack', 'work']);
    expect(Date.now() - started).toBeLessThan(2900); // Slack's 3 s, whatever the database does
    void receiving;
  });

  it('/metrics counts the requests waiting and the age of the oldest', async () => {
    await clear();
    await saveRequests(state.db, [{ id: randomUUID(), route: 'command:note', body: {}, attempts: 0 }], 60_000);
    await state.db.query(`UPDATE inbox SET received_at = now() - interval '42 seconds'`);
    const gauges = await stateGauges(state.db)();
    expect(gauges.inboxWaiting).toBe(1);
    expect(gauges.inboxOldestSeconds).toBeGreaterThanOrEqual(42);
    await clear();
    expect(await stateGauges(state.db)()).toMatchObject({ inboxWaiting: 0, inboxOldestSeconds: 0 });
  });

  it('never takes a request its replica still holds', async () => {
    await clear();
    const inbox = inboxOn(state.db);
    let handled = 0;
    inbox.route('command:note', () => {
      handled++;
      return Promise.resolve();
    });
    await saveRequests(state.db, [{ id: randomUUID(), route: 'command:note', body: {}, attempts: 0 }], 60_000);
    await inbox.sweep();
    expect(handled).toBe(0);
    expect(await countInbox(state.db)).toBe(1);
  });

  it('gives up a request that keeps failing after five takeovers, and drops one with no handler, at error level', async () => {
    await clear();
    const inbox = inboxOn(state.db, 0);
    let tries = 0;
    inbox.route('command:note', () => {
      tries++;
      return Promise.reject(new Error('the handler keeps failing'));
    });
    await saveRequests(
      state.db,
      [
        { id: randomUUID(), route: 'command:note', body: { response_url: 'https://hooks.slack.com/x' }, attempts: 0 },
        { id: randomUUID(), route: 'command:gone', body: {}, attempts: 0 },
      ],
      -1000,
    );
    for (let i = 0; i < 8; i++) await inbox.sweep();
    expect(tries).toBe(5);
    expect(await countInbox(state.db)).toBe(0);
    const errors = lines.filter((l) => l.level >= 50).map((l) => l.msg);
    expect(errors).toEqual(expect.arrayContaining(['a saved request has no handler; dropped', 'a saved request kept failing; given up']));
  });
});
