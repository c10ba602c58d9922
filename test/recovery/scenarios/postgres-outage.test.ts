// Scenario (b) of issue 12: Postgres down for two minutes (compressed on the simulated clock), then back. The run
// reaches Resume with no override, with the bot's own buttons: a Gateway pod whose revocation snapshot is still
// stale is reloaded from the button under its finding, wherever it shows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEvents } from '../../../src/store/events.ts';
import { loadRun } from '../../../src/store/runs.ts';
import { Run, startScenario, type Scenario } from './drive.ts';
import type { Gate } from '../../../src/domain/gates.ts';

describe('scenario (b): a two-minute Postgres outage, recovered to Resume without an override', () => {
  let s: Scenario;
  beforeAll(async () => {
    s = await startScenario();
  }, 360_000);
  afterAll(async () => {
    await s?.close();
  });

  it("walks every gate with the bot's buttons", async () => {
    const { caracal } = s.sandbox;
    const run = await Run.start(s, 'Postgres outage');
    await run.freeze();

    await caracal.faults.inject('postgres_outage');
    const down = await run.runChecks('storage');
    expect(down.get('postgres.reachable')?.status).toBe('fail');
    s.advance(120_000);
    await caracal.faults.sync();
    await caracal.faults.clear('postgres_outage');
    await caracal.faults.sync();

    const remediated: string[] = [];
    const walk = async (gate: Gate) => {
      if (gate === 'safety') remediated.push(await run.verifyChain());
      let results = await run.runChecks(gate);
      // A stale Gateway snapshot is the one thing a button fixes here; anything else must have cleared by itself.
      if (await run.remedyButton('gateway.reload')) {
        remediated.push(await run.remediate('gateway.reload'));
        await caracal.faults.sync();
        results = await run.runChecks(gate);
      }
      // Counters that grew during the outage (Coordinator sweeper failures) are judged against the reading before:
      // the first run after the outage has none, so it is run again, as an operator would.
      if ([...results.values()].some((c) => c.status === 'warn')) results = await run.runChecks(gate);
      expect(
        [...results].filter(([, c]) => c.status !== 'pass').map(([id, c]) => `${id}: ${c.summary}`),
        gate,
      ).toEqual([]);
    };
    for (const gate of ['storage', 'services', 'evidence', 'safety'] as const) {
      await walk(gate);
      await run.confirm(gate);
    }
    await walk('resume');
    await run.unfreeze();
    await run.confirm('resume', 'U0ALICE');
    await run.confirm('resume', 'U0BOB');

    const done = (await loadRun(s.sandbox.db, run.runId))!;
    expect(done.status).toBe('resumed');
    const events = await listEvents(s.sandbox.db, run.runId);
    expect(events.filter((e) => e.type.startsWith('override'))).toEqual([]);
    expect(events.filter((e) => e.type === 'gate_confirmed').map((e) => e.gate)).toEqual([
      'freeze',
      'storage',
      'services',
      'evidence',
      'safety',
      'resume',
    ]);
    // Every remediation that ran is in the log with its answer.
    const finished = events.filter((e) => e.type === 'action_finished');
    expect(finished).toHaveLength(remediated.length);
    for (const e of finished) expect((e.data as { lines?: unknown[] }).lines?.length).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe('run_resumed');
  }, 600_000);
});
