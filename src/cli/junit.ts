// JUnit XML for CI dashboards: one testcase per check, classname = its first gate. JUnit has no "warning", so a
// warning passes with the finding in <system-out> (the exit code, 1, still says warn).
import type { CheckResult } from '../domain/check-result.ts';

const escape = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);

function detail(r: CheckResult): string {
  return [r.summary, ...r.evidence, ...(r.remedy ? [`next: ${r.remedy}`] : [])].join('\n');
}

export function resultsJunit(results: readonly CheckResult[]): string {
  const failures = results.filter((r) => r.status === 'fail').length;
  const errors = results.filter((r) => r.status === 'error').length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const total = seconds(results.reduce((n, r) => n + r.durationMs, 0));
  const cases = results.map((r) => {
    const open = `    <testcase classname="${escape(r.gates[0] ?? 'checks')}" name="${escape(r.id)}" time="${seconds(r.durationMs)}"`;
    if (r.status === 'pass') return `${open}/>`;
    const body =
      r.status === 'warn'
        ? `<system-out>WARN: ${escape(detail(r))}</system-out>`
        : `<${r.status === 'fail' ? 'failure' : 'error'} message="${escape(r.summary)}" type="${r.status}">${escape(detail(r))}</${r.status === 'fail' ? 'failure' : 'error'}>`;
    return `${open}>\n      ${body}\n    </testcase>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="caracal-chatops check" tests="${results.length}" failures="${failures}" errors="${errors}" time="${total}">`,
    `  <testsuite name="caracal-chatops" tests="${results.length}" failures="${failures}" errors="${errors}" skipped="0" time="${total}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
  ].join('\n');
}
