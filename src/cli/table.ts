// Plain-text rendering of check results for a terminal.
import type { CheckResult } from '../domain/check-result.ts';

const MARK = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', error: 'ERROR' } as const;

export function resultsTable(results: readonly CheckResult[]): string {
  const idWidth = Math.max(5, ...results.map((r) => r.id.length));
  const lines = [`${'CHECK'.padEnd(idWidth)}  STATUS  TIME     SUMMARY`];
  for (const r of results) {
    lines.push(`${r.id.padEnd(idWidth)}  ${MARK[r.status].padEnd(6)}  ${`${r.durationMs}ms`.padEnd(7)}  ${r.summary}`);
    if (r.status !== 'pass' && r.remedy) lines.push(`${' '.repeat(idWidth + 19)}next: ${r.remedy}`);
  }
  return lines.join('\n');
}
