// The multi-replica soak, short: two real bot processes on one Postgres state database behind a round-robin proxy,
// 20 people on 10 runs for 20 s, one replica SIGKILLed and restarted halfway. Every invariant must hold afterwards:
// each click's events exactly once, gate rules never broken, each run's version counting its transitions, the
// outbox drained with each thread entry posted once and in log order, one dashboard per run showing its last version.
// Nothing here depends on speed: the drain waits for the killed replica's delivery leases to run out.
import { describe, expect, it } from 'vitest';
import { removeSoakDir, runSoak } from '../../bench/soak/soak.ts';
import { printSummary } from '../../bench/soak/summary.ts';

describe('multi-replica soak', () => {
  it('keeps every run consistent and delivers every log entry once across a SIGKILL', { timeout: 150_000 }, async () => {
    const lines: string[] = [];
    const report = await runSoak({ durationMs: 20_000, kills: 1, log: (l) => lines.push(l) });
    printSummary(report.figures, report.problems, (l) => lines.push(l));
    if (report.problems.length > 0) console.log([...lines, `replica logs: ${report.dir}`].join('\n'));
    removeSoakDir(report);

    expect(report.problems).toEqual([]);
    const f = report.figures;
    expect(f.restarts).toBe(1);
    // The soak did real work on both sides of the kill (counts, not rates: nothing about timing).
    expect(f.notes).toBeGreaterThan(0);
    expect(f.checkRuns).toBeGreaterThan(0);
    expect(f.overridesApproved).toBeGreaterThan(0);
    expect(f.runsReaching.storage).toBeGreaterThan(0);
    expect(f.deliveries).toBe(f.delivered + f.failedPermanently);
    expect(f.threadReplies).toBeGreaterThan(0);
  });
});
