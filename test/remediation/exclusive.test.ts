// Issue 18: one deep verification at a time across replicas (a lease in the state database), cancellable, and a
// second request is told who holds it and how far it is.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExclusiveRunner, heldText, JobCancelled } from '../../src/remediation/exclusive.ts';
import type { Db } from '../../src/store/db.ts';
import { testStateDb } from '../helpers/state.ts';

describe('exclusive runner (lease across replicas)', () => {
  let state: { db: Db; drop(): Promise<void> };
  beforeAll(async () => {
    state = await testStateDb();
  });
  afterAll(async () => {
    await state.drop();
  });

  it('admits one job across two replicas, tells the second who and how far, and stops the first when cancelled', async () => {
    const now = () => new Date();
    const a = createExclusiveRunner({ db: state.db, holder: 'replica-a', now, heartbeatMs: 20 });
    const b = createExclusiveRunner({ db: state.db, holder: 'replica-b', now, heartbeatMs: 20 });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const first = a.run({ name: 'audit.verify_chain', startedBy: 'UALICE' }, (signal) => {
      started();
      return new Promise<string>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    });
    await running;
    const second = await b.run({ name: 'audit.verify_chain', startedBy: 'UBOB' }, () => Promise.resolve('ran'));
    expect(second.ok).toBe(false);
    if (second.ok) return;
    expect(second.held.startedBy).toBe('UALICE');
    expect(heldText('Verify audit chain (deep)', second.held, now())).toMatch(
      /^<@UALICE> started \*Verify audit chain \(deep\)\* at .* UTC and it is still running \(\d+ s so far/,
    );

    expect(await b.cancel('audit.verify_chain', 'UBOB')).toBe(true);
    const err: unknown = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobCancelled);
    expect((err as JobCancelled).by).toBe('UBOB');

    // Released: the next one runs.
    expect(await b.run({ name: 'audit.verify_chain', startedBy: 'UBOB' }, () => Promise.resolve('ran'))).toEqual({
      ok: true,
      value: 'ran',
    });
    expect(await a.cancel('audit.verify_chain', 'UALICE')).toBe(false);
  });

  it('progress is written into the lease at once, then at most every progressEveryMs, and a second click is shown it', async () => {
    let clock = Date.now();
    const now = () => new Date(clock);
    const a = createExclusiveRunner({ db: state.db, holder: 'replica-a', now, heartbeatMs: 60_000, progressEveryMs: 500 });
    const b = createExclusiveRunner({ db: state.db, holder: 'replica-b', now });
    const shown = async () => (await b.held('job.progress'))?.progress ?? '';
    const settle = async (want: RegExp) => {
      for (let i = 0; i < 100 && !want.test(await shown()); i++) await new Promise((r) => setTimeout(r, 10));
      return shown();
    };
    await a.run({ name: 'job.progress', startedBy: 'UALICE' }, async (_signal, progress) => {
      progress('1 of 4 zones done, 10 rows checked');
      expect(await settle(/^1 of 4/)).toMatch(
        /^1 of 4 zones done, 10 rows checked; last heard from replica replica-a at \d\d:\d\d:\d\d UTC$/,
      );
      clock += 100;
      progress('2 of 4 zones done, 20 rows checked'); // within 500 ms of the last write: kept for the next one
      await new Promise((r) => setTimeout(r, 50));
      expect(await shown()).toMatch(/^1 of 4/);
      clock += 500;
      progress('3 of 4 zones done, 30 rows checked');
      expect(await settle(/^3 of 4/)).toMatch(/^3 of 4 zones done, 30 rows checked;/);
      const held = await b.run({ name: 'job.progress', startedBy: 'UBOB' }, () => Promise.resolve(0));
      expect(held.ok).toBe(false);
      if (!held.ok)
        expect(heldText('Verify audit chain (deep)', held.held, now())).toContain(
          'so far; 3 of 4 zones done, 30 rows checked; last heard from replica replica-a',
        );
    });
  });

  it('a lease its holder stopped renewing lapses, so a dead replica does not block it forever', async () => {
    let clock = Date.now();
    const now = () => new Date(clock);
    const dead = createExclusiveRunner({ db: state.db, holder: 'replica-dead', now, ttlMs: 30_000 });
    await state.db.query(
      `INSERT INTO exclusive_jobs (name, holder, started_by, started_at, expires_at) VALUES ('job.x', 'replica-gone', 'UEVE', $1, $2)`,
      [now(), new Date(clock + 30_000)],
    );
    expect((await dead.run({ name: 'job.x', startedBy: 'UALICE' }, () => Promise.resolve(1))).ok).toBe(false);
    clock += 31_000;
    expect(await dead.run({ name: 'job.x', startedBy: 'UALICE' }, () => Promise.resolve(1))).toEqual({ ok: true, value: 1 });
  });
});
