// The sandbox's copy of Caracal's alert rules: the same names, expressions, thresholds, labels and annotations as
// the Helm chart's PrometheusRule (src/domain/alert-catalog.ts), with every `for` and every range window shortened
// (1 minute becomes 5 seconds) so an injected fault alerts within seconds. caracal-sandbox.rules.yml is this,
// written out; test/sandbox/alerting/rules.test.ts keeps the two in step.
import { CARACAL_ALERTS, runbookUrl } from '../../domain/alert-catalog.ts';

/** Sandbox seconds per real minute. */
export const SANDBOX_SECONDS_PER_MINUTE = 5;

function shorten(duration: string): string {
  const m = /^(\d+)m$/.exec(duration);
  if (!m) throw new Error(`unexpected duration ${duration}`);
  return `${Number(m[1]) * SANDBOX_SECONDS_PER_MINUTE}s`;
}

/** An expression with its range windows ([5m], [10m]) shortened the same way; thresholds are unchanged. */
export function sandboxExpr(expr: string): string {
  return expr.replace(/\[(\d+m)\]/g, (_, d: string) => `[${shorten(d)}]`);
}

export function sandboxFor(duration: string): string {
  return shorten(duration);
}

const quote = (s: string) => JSON.stringify(s);

export function sandboxRulesYaml(): string {
  const lines = [
    "# Caracal's 21 alerts (Helm chart PrometheusRule, group caracal.enterprise-readiness, default thresholds) for the",
    `# local sandbox. SHORTENED FOR THE SANDBOX: every \`for\` and range window is scaled from 1 minute to ${SANDBOX_SECONDS_PER_MINUTE} seconds.`,
    '# Generated from src/domain/alert-catalog.ts by src/sandbox/alerting/rules.ts; do not edit by hand.',
    'groups:',
    '  - name: caracal.enterprise-readiness',
    '    rules:',
  ];
  for (const [name, a] of Object.entries(CARACAL_ALERTS)) {
    lines.push(
      `      - alert: ${name}`,
      `        expr: ${quote(sandboxExpr(a.expr))}`,
      `        for: ${sandboxFor(a.for)}`,
      '        labels:',
      `          severity: ${a.severity}`,
      `          component: ${a.component}`,
      '        annotations:',
      `          summary: ${quote(a.summary)}`,
      `          runbook_url: ${quote(runbookUrl(name))}`,
      `          sandbox: ${quote(`shortened for the sandbox: for ${a.for} became ${sandboxFor(a.for)}`)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const SANDBOX_RULES_FILE = new URL('./caracal-sandbox.rules.yml', import.meta.url);
