import { describe, expect, it } from 'vitest';
import type { StoredReport } from '../../src/domain/report.ts';
import { recentReports, type RecentReports } from '../../src/reports/recent-reports.ts';

const report = (channelId: string, startedAt: string, environment?: string): StoredReport => ({
  channelId,
  complete: false,
  view: {
    reportId: `r-${channelId}-${environment ?? ''}`,
    requestedBy: 'U1',
    startedAt,
    planned: [],
    results: [],
    sandbox: false,
    ...(environment ? { environment } : {}),
  },
});

/** What the database answered for `r`'s channel: memory knows it from then on. */
const answered = (recent: RecentReports, r: StoredReport) => recent.settle(r.channelId, r.view.environment, () => Promise.resolve(r));

describe('recentReports', () => {
  it('finds a report of the same channel and environment until its window ends, then forgets it', async () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const recent = recentReports(10_000, () => now);
    const r = report('C1', '2026-11-30T10:00:00.000Z');
    await answered(recent, r);
    now += 9_999;
    expect(recent.find('C1', undefined)).toBe(r);
    expect(recent.find('C2', undefined)).toBeUndefined();
    expect(recent.find('C1', 'staging')).toBeUndefined();
    now += 1;
    expect(recent.find('C1', undefined)).toBeUndefined();
    now -= 5_000; // forgotten for good, even if the clock steps back
    expect(recent.find('C1', undefined)).toBeUndefined();
  });

  it('keeps environments apart and the newest report per channel and environment', async () => {
    const now = Date.parse('2026-11-30T10:00:05Z');
    const recent = recentReports(10_000, () => now);
    const staging = report('C1', '2026-11-30T10:00:00.000Z', 'staging');
    const older = report('C1', '2026-11-30T10:00:01.000Z');
    const newer = { ...report('C1', '2026-11-30T10:00:04.000Z'), messageTs: '1.2' };
    await answered(recent, staging);
    await answered(recent, older);
    await answered(recent, newer);
    expect(recent.find('C1', 'staging')).toBe(staging);
    expect(recent.find('C1', undefined)).toBe(newer);
  });

  it('asks once per channel and environment at a time: requests meanwhile get that answer, and memory keeps it', async () => {
    const now = Date.parse('2026-11-30T10:00:01Z');
    const recent = recentReports(10_000, () => now);
    const saved = report('C1', '2026-11-30T10:00:00.000Z');
    const staging = report('C1', '2026-11-30T10:00:00.000Z', 'staging');
    let asked = 0;
    let answer: (r: StoredReport) => void = () => undefined;
    const ask = () => (asked++, new Promise<StoredReport>((resolve) => (answer = resolve)));
    const burst = Array.from({ length: 12 }, () => recent.settle('C1', undefined, ask));
    const other = recent.settle('C1', 'staging', () => Promise.resolve(staging));
    answer(saved);
    expect(await Promise.all(burst)).toEqual(Array.from({ length: 12 }, () => saved));
    expect(await other).toBe(staging);
    expect(asked).toBe(1);
    expect(recent.find('C1', undefined)).toBe(saved);
  });

  it('a failed ask fails the requests that waited for it, and the next request asks again', async () => {
    const recent = recentReports(10_000, () => Date.parse('2026-11-30T10:00:01Z'));
    let fail: (err: Error) => void = () => undefined;
    const first = recent.settle('C1', undefined, () => new Promise<StoredReport>((_, reject) => (fail = reject)));
    const waiting = recent.settle('C1', undefined, () => Promise.reject(new Error('never asked')));
    fail(new Error('database down'));
    await expect(first).rejects.toThrow('database down');
    await expect(waiting).rejects.toThrow('database down');
    const saved = report('C1', '2026-11-30T10:00:00.000Z');
    expect(await recent.settle('C1', undefined, () => Promise.resolve(saved))).toBe(saved);
  });
});
