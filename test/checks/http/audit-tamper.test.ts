import { afterEach, describe, expect, it } from 'vitest';
import { auditTamper } from '../../../src/checks/http/audit-tamper.ts';
import type { AuditPod } from '../../../src/sandbox/fake-caracal.ts';
import { startHarness, type Harness, type HarnessOptions } from './harness.ts';

const T0 = Date.parse('2026-11-28T12:00:00Z');
const S0 = T0 / 1000;

let h: Harness | undefined;
afterEach(() => h?.close());
async function start(opts: HarnessOptions = {}) {
  h = await startHarness({ now: () => T0, ...opts });
  h.setNow(T0);
  return h;
}
const set = (pod: AuditPod, patch: Partial<AuditPod>) => Object.assign(pod, patch);

describe('audit.tamper', () => {
  it('passes with zero counters and a sweep 10 minutes ago', async () => {
    const { run } = await start();
    const r = await run(auditTamper);
    expect(r.status).toBe('pass');
    expect(r.summary).toBe(
      'No new tamper findings and a recent sweep on all 1 Audit pods (the sweep covers rows ingested in the last 4 h plus a full sweep at Audit start).',
    );
    expect(r.evidence[1]).toMatch(
      /the sweep covers rows ingested in the last 4 h \(hourly\) plus one full sweep at Audit start; last full sweep 2026-11-28T10:00:00.000Z \(2.0 h ago\)/,
    );
  });

  it('walks the documented sequence: fail, still fail before a sweep, warn after a clean sweep, fail on a rise, reset on restart', async () => {
    const { fake, run, setNow } = await start();
    const audit = fake.state.audit[0];
    expect((await run(auditTamper)).status).toBe('pass');

    // The 12:00 sweep found one mismatch.
    set(audit, { tamperMismatch: 1, lastSweepUnix: S0 + 60 });
    setNow(T0 + 120_000);
    let r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('mismatches 1, chain breaks 0, HMAC failures 0; up from 0');
    expect(r.remedy).toContain('security incident');
    expect(r.remedy).toContain('trusted backup');
    expect(r.matrix).toEqual(['audit']);

    // Re-run before the next sweep: still a failure, a re-run must not launder it.
    setNow(T0 + 600_000);
    r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('no sweep has finished since they last rose');

    // The next hourly sweep found nothing new.
    set(audit, { lastSweepUnix: S0 + 3660 });
    setNow(T0 + 3_700_000);
    r = await run(auditTamper);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('a later sweep found nothing new');
    expect(r.remedy).toContain('stay non-zero until the Audit pod restarts');
    expect(r.remedy).toContain('full sweep');

    // The rolling window re-counts the row, or a new break appears: any rise fails again.
    set(audit, { tamperChainBreaks: 2, lastSweepUnix: S0 + 7260 });
    setNow(T0 + 7_300_000);
    r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('up from 1');

    // Audit restarted: counters from zero, a new full sweep time.
    set(audit, { tamperMismatch: 0, tamperChainBreaks: 0, lastFullUnix: S0 + 7400, lastSweepUnix: S0 + 7400 });
    setNow(T0 + 7_500_000);
    r = await run(auditTamper);
    expect(r.status).toBe('pass');
    expect(r.evidence[0]).toContain('Audit restarted: new baseline');
  });

  it('fails on the first reading when the counters are already non-zero', async () => {
    const { fake, run } = await start();
    set(fake.state.audit[0], { tamperHmacFailures: 4 });
    const r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('no earlier reading to tell old findings from new');
  });

  it('treats a new full-sweep time as a restart, even when the counts did not drop', async () => {
    const { fake, run, setNow } = await start();
    const audit = set(fake.state.audit[0], { tamperMismatch: 2 });
    await run(auditTamper);
    set(audit, { lastSweepUnix: S0 + 3600 });
    setNow(T0 + 3_650_000);
    expect((await run(auditTamper)).status).toBe('warn');
    // Restarted, and the full sweep at start found the same two rows again.
    set(audit, { lastFullUnix: S0 + 3700, lastSweepUnix: S0 + 3700 });
    setNow(T0 + 3_750_000);
    const r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('found since Audit restarted');
  });

  it('keeps a separate baseline per Audit pod', async () => {
    const { fake, run, setNow } = await start({ pods: { audit: 2 } });
    set(fake.state.audit[0], { tamperMismatch: 1 });
    await run(auditTamper);
    set(fake.state.audit[0], { lastSweepUnix: S0 + 3600 });
    set(fake.state.audit[1], { tamperMismatch: 1, lastSweepUnix: S0 + 3600 });
    setNow(T0 + 3_650_000);
    const r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.evidence.find((l) => l.includes('a later sweep found nothing new'))).toBeDefined();
    expect(r.evidence.find((l) => l.includes('up from 0'))).toBeDefined();
    expect(r.evidence.findIndex((l) => l.includes('a later sweep'))).toBeLessThan(r.evidence.findIndex((l) => l.includes('up from 0')));
  });

  it('warns when the last sweep is older than 2 h, or none has finished', async () => {
    const { fake, run } = await start();
    set(fake.state.audit[0], { lastSweepUnix: S0 - 3 * 3600 });
    let r = await run(auditTamper);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('last tamper sweep 10800 s ago (limit 7200 s)');
    set(fake.state.audit[0], { lastSweepUnix: 0 });
    r = await run(auditTamper);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain('no tamper sweep has finished');
  });

  it('does not warn on a sweep just under 2 h old (the hourly ticker records its end)', async () => {
    const { fake, run } = await start();
    set(fake.state.audit[0], { lastSweepUnix: S0 - 7100 });
    expect((await run(auditTamper)).status).toBe('pass');
  });

  it.each([
    ['tamper_chain_breaks missing', { tamper_chain_breaks: undefined }],
    ['tamper_mismatch_total as a string', { tamper_mismatch_total: '0' }],
    ['tamper_last_sweep_unix as a float string', { tamper_last_sweep_unix: '1764331200' }],
    ['the Prometheus name instead of the JSON key', { tamper_hmac_failures: undefined, tamper_hmac_failures_total: 0 }],
  ])('fails closed when the body has %s', async (_name, patch) => {
    const { fake, run } = await start();
    fake.state.audit[0].transform = (_path, body) => ({ ...(body as object), ...patch });
    const r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('tamper counters unknown');
  });

  it('fails when no Audit URL is configured', async () => {
    const { run } = await start({ caracal: { services: { audit: [] } } });
    const r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('caracal.services.audit is empty');
  });
});

describe('audit.tamper during a recovery run (issue 12)', () => {
  const scope = (startedAtMs: number, tamper: Record<string, { sum: number; lastFullUnix: number }>) => ({
    startedAt: new Date(startedAtMs),
    residue: { v: 1 as const, takenAt: new Date(startedAtMs).toISOString(), stsCompileErrors: {}, tamper, unread: [] },
  });

  it('shows findings from before the run as old residue, fails on a rise, and treats a restart as new', async () => {
    const { fake, ctx, run } = await start();
    // Audit's last full sweep ran after the run started, so coverage is not in question here.
    const audit = set(fake.state.audit[0], { tamperMismatch: 2, lastFullUnix: S0 - 30 });
    const url = fake.urls.audit[0];
    ctx.incident = scope(T0 - 60_000, { [url]: { sum: 2, lastFullUnix: S0 - 30 } });
    let r = await run(auditTamper);
    expect(r.status).toBe('pass');
    expect(r.evidence[0]).toMatch(/2 findings from before the incident \(baseline 11:59 UTC\), none new/);

    set(audit, { tamperChainBreaks: 1 });
    r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('up from 2 at the baseline 11:59 UTC');

    set(audit, { tamperMismatch: 1, tamperChainBreaks: 0, lastFullUnix: S0 - 10 });
    r = await run(auditTamper);
    expect(r.status).toBe('fail');
    expect(r.summary).toContain('found since Audit restarted after the baseline');
  });

  it('warns when the last full sweep predates the run, until a deep verification of this run covers older rows', async () => {
    const { fake, ctx, run } = await start();
    set(fake.state.audit[0], { lastFullUnix: S0 - 7200 });
    const started = T0 - 600_000;
    ctx.incident = scope(started, { [fake.urls.audit[0]]: { sum: 0, lastFullUnix: S0 - 7200 } });
    let r = await run(auditTamper);
    expect(r.status).toBe('warn');
    expect(r.summary).toContain(
      'before the incident started (2026-11-28T11:50:00.000Z): rows ingested earlier and edited since are not covered',
    );
    expect(r.remedy).toContain('Verify audit chain (deep)');

    // A verification from before the run does not count; one of this run does, and its result is shown.
    ctx.incident = {
      ...ctx.incident,
      verification: { at: new Date(started - 1000), clean: true, hmacChecked: true, rowsChecked: 6, findings: [] },
    };
    expect((await run(auditTamper)).status).toBe('warn');
    ctx.incident = {
      ...ctx.incident,
      verification: { at: new Date(T0 - 60_000), clean: true, hmacChecked: false, rowsChecked: 6, findings: [] },
    };
    r = await run(auditTamper);
    expect(r.status).toBe('pass');
    expect(r.evidence[1]).toContain('older rows: the deep verification at 11:59 UTC found every row intact (6 rows, without the HMAC key)');
    ctx.incident = {
      ...ctx.incident,
      verification: {
        at: new Date(T0 - 60_000),
        clean: false,
        hmacChecked: true,
        rowsChecked: 6,
        findings: [{ zoneId: 'z1', rowId: 'row-3', chainSeq: '3', kinds: ['content_mismatch'] }],
      },
    };
    r = await run(auditTamper);
    expect(r.status).toBe('pass');
    expect(r.evidence[1]).toContain(
      'found 1 broken zone(s): zone z1, row id=row-3 (chain_seq 3), content_mismatch; Resume needs two approvers',
    );

    // A full sweep after the run started (Audit restarted) covers everything by itself.
    set(fake.state.audit[0], { lastFullUnix: S0 - 60 });
    ctx.incident = { startedAt: new Date(started), residue: undefined };
    expect((await run(auditTamper)).status).toBe('pass');
  });
});
