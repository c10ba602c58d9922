import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CARACAL_ALERT_NAMES, CARACAL_ALERTS, caracalAlert, runbookUrl } from '../../src/domain/alert-catalog.ts';
import { FAILURE_MATRIX } from '../../src/domain/failure-matrix.ts';
import { ALL_CHECKS } from '../../src/checks/registry.ts';
import { DRILLS } from '../../src/drills/catalog.ts';

// Caracal's PrometheusRule as rendered with the chart's defaults (extracted from Garudex-Labs/caracal, see `source`).
const caracal = JSON.parse(readFileSync(new URL('./caracal-rules.json', import.meta.url), 'utf8')) as {
  rules: { alert: string; expr: string; for: string; severity: string; component: string; summary: string; runbook_url: string }[];
};

describe('the alert mapping', () => {
  it("has a row for every alert of Caracal's PrometheusRule, and no other", () => {
    expect(caracal.rules).toHaveLength(21);
    expect([...CARACAL_ALERT_NAMES].sort()).toEqual(caracal.rules.map((r) => r.alert).sort());
  });

  it.each(caracal.rules)("$alert keeps the rule's expression, for, severity, component and summary", (rule) => {
    const row = caracalAlert(rule.alert)!;
    expect(row).toMatchObject({
      expr: rule.expr,
      for: rule.for,
      severity: rule.severity,
      component: rule.component,
      summary: rule.summary,
    });
    expect(runbookUrl(rule.alert)).toBe(rule.runbook_url);
  });

  it('names only real check ids, gates that have checks, and real failure-matrix rows', () => {
    const ids = new Set(ALL_CHECKS.map((c) => c.id));
    for (const [name, row] of Object.entries(CARACAL_ALERTS)) {
      expect(row.checks.length, name).toBeGreaterThan(0);
      for (const id of row.checks) expect(ids.has(id), `${name}: ${id}`).toBe(true);
      expect(
        ALL_CHECKS.some((c) => c.gates.includes(row.gate)),
        `${name}: ${row.gate}`,
      ).toBe(true);
      for (const m of row.matrix) expect(Object.hasOwn(FAILURE_MATRIX, m), `${name}: ${m}`).toBe(true);
    }
  });

  it('knows every alert the drill catalog expects', () => {
    for (const name of DRILLS.flatMap((d) => d.expectedAlerts)) expect(caracalAlert(name), name).toBeDefined();
  });

  it('does not take inherited object keys for alert names', () => {
    expect(caracalAlert('constructor')).toBeUndefined();
    expect(caracalAlert('toString')).toBeUndefined();
  });
});
