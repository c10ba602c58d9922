import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CARACAL_ALERTS } from '../../../src/domain/alert-catalog.ts';
import { SANDBOX_RULES_FILE, sandboxExpr, sandboxFor, sandboxRulesYaml } from '../../../src/sandbox/alerting/rules.ts';

type Rule = { alert: string; expr: string; for: string; labels: Record<string, string>; annotations: Record<string, string> };

describe('the sandbox rule file', () => {
  const text = readFileSync(SANDBOX_RULES_FILE, 'utf8');

  it('is what the catalog generates (regenerate it with sandboxRulesYaml() after changing the catalog)', () => {
    expect(text).toBe(sandboxRulesYaml());
  });

  it('has every Caracal alert with its expression and thresholds, and only the durations shortened (and says so)', () => {
    const rules = (parse(text) as { groups: { name: string; rules: Rule[] }[] }).groups[0].rules;
    expect(rules.map((r) => r.alert)).toEqual(Object.keys(CARACAL_ALERTS));
    for (const r of rules) {
      const row = CARACAL_ALERTS[r.alert as keyof typeof CARACAL_ALERTS];
      expect(r.expr.replace(/\[(\d+)s\]/g, (_, s: string) => `[${Number(s) / 5}m]`)).toBe(row.expr);
      expect(r.for).toBe(sandboxFor(row.for));
      expect(r.labels).toEqual({ severity: row.severity, component: row.component });
      expect(r.annotations.sandbox).toContain('shortened for the sandbox');
    }
    expect(sandboxExpr('increase(x[10m]) > 0')).toBe('increase(x[50s]) > 0');
    expect(text).toContain('SHORTENED FOR THE SANDBOX');
  });

  it('is valid for Prometheus (promtool check rules)', () => {
    const out = execFileSync('promtool', ['check', 'rules', fileURLToPath(SANDBOX_RULES_FILE)], { encoding: 'utf8' });
    expect(out).toContain('SUCCESS: 21 rules found');
  });
});
