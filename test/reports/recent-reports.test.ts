import { describe, expect, it } from 'vitest';
import type { StoredReport } from '../../src/domain/report.ts';
import { recentReports } from '../../src/reports/recent-reports.ts';

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

describe('recentReports', () => {
  it('finds a report of the same channel and environment until its window ends, then forgets it', () => {
    let now = Date.parse('2026-11-30T10:00:00Z');
    const recent = recentReports(10_000, () => now);
    const r = report('C1', '2026-11-30T10:00:00.000Z');
    recent.remember(r);
    now += 9_999;
    expect(recent.find('C1', undefined)).toBe(r);
    expect(recent.find('C2', undefined)).toBeUndefined();
    expect(recent.find('C1', 'staging')).toBeUndefined();
    now += 1;
    expect(recent.find('C1', undefined)).toBeUndefined();
    now -= 5_000; // forgotten for good, even if the clock steps back
    expect(recent.find('C1', undefined)).toBeUndefined();
  });

  it('keeps environments apart and the newest report per channel and environment', () => {
    const now = Date.parse('2026-11-30T10:00:05Z');
    const recent = recentReports(10_000, () => now);
    const staging = report('C1', '2026-11-30T10:00:00.000Z', 'staging');
    const older = report('C1', '2026-11-30T10:00:01.000Z');
    const newer = { ...report('C1', '2026-11-30T10:00:04.000Z'), messageTs: '1.2' };
    recent.remember(staging);
    recent.remember(older);
    recent.remember(newer);
    expect(recent.find('C1', 'staging')).toBe(staging);
    expect(recent.find('C1', undefined)).toBe(newer);
  });
});
