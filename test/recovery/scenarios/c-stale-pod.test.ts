// Scenario (c) of issue 12: one Gateway pod with a stale revocation snapshot behind a Service URL. The sandbox's
// Gateway pods sit behind one Service address (connections round-robin, as kube-proxy does); the bot finds each
// pod through the EndpointSlice API, gateway.revocation fails naming the stale pod, the bot's reload button calls
// every pod and reports each, and the run reaches Resume with no override, its thread holding the remediation
// and its answer, its timeline complete. Every step is a slash command or a click on the bot's own messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRecoveryDriver, until, type RecoveryDriver } from '../../helpers/recovery-driver.ts';

const TITLE = 'Stale Gateway pod';
const FREEZE_ITEMS = ['rollouts', 'policies', 'control'];

describe('scenario (c): a stale Gateway pod behind a Service URL', () => {
  let d: RecoveryDriver;
  beforeAll(async () => {
    d = await startRecoveryDriver(TITLE);
  }, 180_000);
  afterAll(async () => {
    await d?.close();
  });

  it('the bot is configured with one Service URL for the Gateway and discovers both pods behind it', () => {
    const { caracal } = d.sandbox.config;
    expect(caracal.services.gateway).toHaveLength(1);
    expect(d.sandbox.caracal.fake.urls.gateway).toHaveLength(2);
    expect(caracal.services.gateway[0]).not.toBe(d.sandbox.caracal.fake.urls.gateway[0]);
    expect(caracal.discovery.gateway.mode).toBe('endpointslice');
  });

  it('walks Freeze, Storage, Services and Evidence green', async () => {
    await d.command('U0ALICE', `/caracal recover ${TITLE}`);
    await until('the dashboard', () => {
      try {
        return d.dashboard();
      } catch {
        return undefined;
      }
    });
    await d.click('U0ALICE', 'freeze_checklist', { selected: FREEZE_ITEMS });
    await until('freeze ticked', () => d.thread().filter((m) => /ticked|Freeze/.test(m.text)).length > 0);
    await d.confirm('freeze');
    for (const gate of ['storage', 'services', 'evidence']) {
      const text = await d.runChecks(gate);
      expect(text, text).not.toMatch(/:x:|:warning:/);
      await d.confirm(gate);
    }
  }, 240_000);

  it('at Safety, the stale pod is found behind the Service and named', async () => {
    await d.sandbox.caracal.faults.inject('stale_revocation_snapshot');
    await d.runChecks('safety');
    // Results arrive check by check: wait for the Gateway's.
    const text = await until('gateway.revocation on Safety', () =>
      /gateway\.revocation/.test(d.gateText('safety')) ? d.gateText('safety') : undefined,
    );
    expect(text).toMatch(/pod gateway-1\): revocation snapshot stale/);
    expect(text).not.toMatch(/pod gateway-0\): revocation snapshot stale/);
  }, 120_000);

  it('the reload button calls every discovered pod and reports each; the check then passes', async () => {
    const outcome = await d.remediate('U0ALICE', 'gateway.reload', 'Reload revocation snapshots (every Gateway pod)');
    expect(outcome).toMatch(/reloaded on 2 of 2 Gateway pod/);
    await d.sandbox.caracal.faults.sync();
    expect(d.sandbox.caracal.faults.active()).toEqual([]);
    // The outcome reaches the thread through the delivery queue, a moment after the clicker's card.
    const threadLog = () =>
      d
        .thread()
        .map((m) => `${m.text}\n${JSON.stringify(m.blocks)}`)
        .join('\n');
    const log = await until('the reload in the thread', () => (/pod gateway-1: POST/.test(threadLog()) ? threadLog() : undefined));
    expect(log).toMatch(/pod gateway-0: POST http:\/\/127\.0\.0\.1:\d+\/internal\/revocations\/reload: 200/);
    expect(log).toMatch(/pod gateway-1: POST http:\/\/127\.0\.0\.1:\d+\/internal\/revocations\/reload: 200/);
    // The tamper sweep covers only recent rows: Safety asks for the deep verification of this run, as it would.
    expect(d.gateText('safety')).toMatch(/audit\.tamper/);
    const verified = await d.remediate('U0ALICE', 'audit.verify_chain', 'Verify audit chain (deep)');
    expect(verified).toMatch(/All \d+ audit rows in \d+ zones verify/);
    await d.runChecks('safety');
    const green = () => (/:white_check_mark: `gateway\.revocation`/.test(d.gateText('safety')) ? d.gateText('safety') : undefined);
    const text = await until('Safety green', green).catch((err: Error) =>
      Promise.reject(new Error(`${err.message}: ${d.gateText('safety')}`)),
    );
    expect(text, text).not.toMatch(/:x:|:warning:/);
    await d.confirm('safety');
  }, 120_000);

  it('Resume is reached with two approvers and no override; the timeline is complete', async () => {
    const text = await d.runChecks('resume');
    expect(text, text).not.toMatch(/:x:|:warning:/);
    // Resume lists what Freeze froze, with who froze it; each item is ticked as it is restored.
    expect(text).toContain('Unfreeze checklist');
    expect(text).toContain('Policy activations unfrozen (frozen by <@U0ALICE>)');
    await d.click('U0BOB', 'freeze_checklist', { selected: FREEZE_ITEMS });
    await until('unfreeze ticked', () => (d.gateText('resume').match(/"initial_options"/) ? true : undefined));
    await d.click('U0ALICE', 'gate_confirm');
    await until("Alice's Resume vote", () => d.gateText('resume').includes('Approvals: 1 of 2'));
    await d.click('U0BOB', 'gate_confirm');
    await until('the run resumed', () => d.dashboard().text.includes('resumed'));
    const rows = (
      await d.sandbox.db.query<{ type: string; gate: string | null; data: Record<string, unknown> }>(
        `SELECT type, gate, data FROM events ORDER BY id`,
      )
    ).rows;
    const types = rows.map((r) => r.type);
    expect(types.filter((t) => t.startsWith('override'))).toEqual([]);
    expect(rows.filter((r) => r.type === 'gate_confirmed').map((r) => r.gate)).toEqual([
      'freeze',
      'storage',
      'services',
      'evidence',
      'safety',
      'resume',
    ]);
    const finished = rows.find((r) => r.type === 'action_finished' && r.data.action === 'gateway.reload');
    expect(finished?.data).toMatchObject({ ok: true, result: 'success' });
    expect((finished?.data.lines as string[]).length).toBe(2);
    expect(types.at(-1)).toBe('run_resumed');
    const confirmed = (gate: string) => rows.find((r) => r.type === 'gate_confirmed' && r.gate === gate)?.data;
    expect(confirmed('freeze')?.frozen).toEqual(FREEZE_ITEMS.map((item) => expect.objectContaining({ item, by: 'U0ALICE' }) as unknown));
    expect(confirmed('resume')?.unfrozen).toEqual(FREEZE_ITEMS.map((item) => expect.objectContaining({ item, by: 'U0BOB' }) as unknown));
    expect(types.indexOf('action_started')).toBeLessThan(types.indexOf('action_finished'));
  }, 120_000);
});
