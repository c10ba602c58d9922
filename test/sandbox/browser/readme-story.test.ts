// The README's story on the sandbox, as a newcomer walks it, with no override and no trick: status green, a Redis
// outage injected and cleared from the panel (the report puts the root cause first), a recovery run walked from
// Freeze to Resume with Bob's second approval, the Audit DLQ replayed, its integrity entries exported and removed,
// and the dead Coordinator rows requeued from the Evidence gate (each click answered in the clicker's ephemeral
// message), the audit chain verified at Safety, the timeline posted to the channel.
// Each step is its own test so that a report says exactly which part fails.
import type { Browser, Page } from 'playwright-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../../../src/config.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/start.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { launchChromium, SandboxPage, screenshot } from './browser.ts';

const WAIT = { timeout: 30_000 };

describe('the README story in the sandbox', () => {
  let redis: LeasedRedis;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let ui: SandboxPage;
  const dashboard = () => ui.botMessage('Recovery: README story');

  beforeAll(async () => {
    redis = await leaseRedisDb();
    const base = configFromObject({ slack: { reportUpdateIntervalMs: 200 } }, {});
    sandbox = await startSandbox({
      base,
      env: {},
      port: 0,
      redisUrl: redis.url,
      syncIntervalMs: 500,
      logDestination: { write: () => undefined },
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    ui = new SandboxPage(page);
    await page.goto(`${sandbox.urls.page}?user=U0ALICE&channel=C0INCIDENT`);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    await redis?.release();
  });

  async function inject(id: string, verb: 'Inject' | 'Clear'): Promise<void> {
    const fault = page.getByTestId(`fault-${id}`);
    await fault.getByRole('button', { name: verb }).click();
    await page.locator(`[data-testid="fault-${id}"][data-active="${verb === 'Inject'}"]`).waitFor(WAIT);
  }

  async function runChecks(gate: string): Promise<string> {
    const before = await ui.gateText(dashboard(), gate);
    await ui.clickButton(dashboard(), 'gate_run_checks');
    await expect
      .poll(
        async () =>
          (await ui.gateText(dashboard(), gate)) !== before && !(await ui.gateText(dashboard(), gate)).includes('No checks run yet'),
        WAIT,
      )
      .toBe(true);
    return ui.gateText(dashboard(), gate);
  }

  async function confirm(gate: string): Promise<void> {
    await ui.clickButton(dashboard(), 'gate_confirm');
    await ui
      .gateSection(dashboard(), gate)
      .getByText(/· confirmed/)
      .waitFor(WAIT);
  }

  it('status is green; a Redis outage shows Redis first with what it explains; the sidebar says Redis is down; cleared, green', async () => {
    await ui.command('/caracal status');
    const report = ui.botMessage('Caracal status');
    await report.getByText(/Caracal status(?: \([a-z0-9-]+\))?: (All \d+ checks pass|.*\d+ failing, \d+ warning)/).waitFor(WAIT);
    const first = await report.innerText();
    expect(first, first).toMatch(/Caracal status(?: \([a-z0-9-]+\))?: All \d+ checks pass/);
    await expect.poll(() => page.getByTestId('infra-state').innerText(), WAIT).toContain('Redis: up');

    await inject('redis_outage', 'Inject');
    await expect.poll(() => page.getByTestId('infra-state').innerText(), WAIT).toContain('Redis: down (simulated outage)');
    await ui.clickButton(report, 'status_rerun');
    await report.getByText(/Caracal status(?: \([a-z0-9-]+\))?: Redis unavailable: \d+ failing/).waitFor(WAIT);
    const text = await report.innerText();
    expect(text.indexOf('redis.reachable')).toBeLessThan(text.indexOf('services.ready'));
    expect(text).toMatch(/Explains \d+ more finding/);
    expect(text).not.toContain('see redis.reachable');
    await screenshot(page, 'story-redis-outage-root-first');

    await inject('redis_outage', 'Clear');
    await expect.poll(() => page.getByTestId('infra-state').innerText(), WAIT).toContain('Redis: up');
    await ui.clickButton(report, 'status_rerun');
    await report.getByText(/Caracal status(?: \([a-z0-9-]+\))?: All \d+ checks pass/).waitFor(WAIT);
  }, 180_000);

  it('starts a run; a 3,000-character note is logged whole; a 4,001-character command is refused and stays in the box', async () => {
    await ui.command('/caracal recover README story');
    await dashboard().waitFor(WAIT);
    const note = Array.from({ length: 620 }, (_, i) => `w${i}`).join(' ');
    expect(note.length).toBeGreaterThan(2900);
    await ui.command(`/caracal note ${note}`);
    await ui.ephemeral('Added to the incident log as 2 entries').waitFor(WAIT);

    const tooLong = `/caracal note ${'x'.repeat(4001 - '/caracal note '.length)}`;
    await ui.command(tooLong);
    await page
      .locator('#toast')
      .getByText(/Not sent: a slash command carries at most 4,000 characters \(this one has 4,001\)/)
      .waitFor(WAIT);
    expect(await page.locator('#composer-input').inputValue()).toBe(tooLong);
    await page.locator('#composer-input').fill('');
  }, 120_000);

  it('walks Freeze, Storage and Services with Alice', async () => {
    const boxes = dashboard().locator('[data-element="checkboxes"] input[type="checkbox"]');
    for (let i = 0; i < 3; i++) {
      await boxes.nth(i).check();
      await expect.poll(() => dashboard().locator('[data-element="checkboxes"] input[checked]').count(), WAIT).toBe(i + 1);
    }
    await confirm('freeze');
    for (const gate of ['storage', 'services']) {
      await runChecks(gate);
      await confirm(gate);
    }
  }, 180_000);

  it('at Evidence, replays the Audit DLQ and requeues the dead Coordinator rows; each clicker sees the outcome', async () => {
    await inject('dlq_entries', 'Inject');
    await inject('dead_outbox_rows', 'Inject');
    const failing = await runChecks('evidence');
    expect(failing).toMatch(/audit\.dlq/);
    expect(failing).toMatch(/outbox\.coordinator/);

    await ui.clickButton(dashboard(), 'gate_remediate', 'Replay replayable Audit DLQ entries');
    const replay = ui.ephemeral(/Replay replayable Audit DLQ entries/);
    // The clicker's own card says what will be called; "Run it" there runs it, and the card shows the outcome.
    await replay.waitFor(WAIT);
    await ui.clickButton(replay, 'remediate_run');
    await expect.poll(async () => (await replay.innerText()).replace(/Running: [^\n]*/, ''), WAIT).toMatch(/replayed|succeeded|done/i);
    // The outcome, not the card's description of the call (which names the token it uses).
    expect((await replay.innerText()).split('Integrity failures')[1] ?? '').not.toMatch(/\b404\b|rejected the token/i);

    await ui.clickButton(dashboard(), 'gate_remediate', 'Requeue dead Coordinator outbox rows');
    const requeue = ui.ephemeral(/Requeue dead Coordinator outbox rows/);
    await requeue.waitFor(WAIT);
    await ui.clickButton(requeue, 'remediate_run');
    await expect.poll(async () => (await requeue.innerText()).replace(/Running: [^\n]*/, ''), WAIT).toMatch(/requeued|succeeded|done/i);
    expect(await requeue.innerText()).not.toMatch(/HTTP 404|dead_outbox_not_found/);

    // The API outbox has no endpoint: the bot shows the SQL, and the DBA (here, the test) runs exactly that.
    await ui.clickButton(dashboard(), 'gate_remediate', 'Break-glass: reset dead API outbox rows');
    await expect
      .poll(async () => /UPDATE public\.event_outbox[^;]*;/.exec(await page.locator('#messages').innerText())?.[0], WAIT)
      .toBeDefined();
    const sql = /UPDATE public\.event_outbox[^;]*;/.exec(await page.locator('#messages').innerText())![0];
    const dba = new pg.Client({ connectionString: sandbox.caracal.file.caracal.postgres.url });
    await dba.connect();
    await dba.query(sql);
    await dba.end();

    // The integrity entries are never replayed and have no endpoint: the bot exports them into the incident log and
    // shows the XDEL; the operator (here, the test) runs exactly that and says so.
    await ui.clickButton(dashboard(), 'gate_remediate', 'Break-glass: export and remove residue');
    const exportCard = ui.ephemeral(/XDEL/);
    await exportCard.waitFor(WAIT);
    const xdels = [...(await exportCard.innerText()).matchAll(/XDEL (\S+) ((?:\d+-\d+ ?)+)/g)].map((m) => [
      m[1],
      ...m[2].trim().split(' '),
    ]);
    expect(xdels.map((c) => c[0])).toContain('caracal.audit.events.dlq');
    for (const [stream, ...ids] of xdels) await redis.client.xdel(stream, ...ids);
    await ui.clickButton(exportCard, 'break_glass_done');

    // Nothing new is left at Evidence: it is confirmed with no override.
    await expect
      .poll(
        async () => {
          const text = await runChecks('evidence');
          return text
            .split('\n')
            .filter((l) => /failed|warn|:x:|:warning:|❌|⚠️/.test(l))
            .join('\n');
        },
        { timeout: 60_000, interval: 3000 },
      )
      .toBe('');
    await confirm('evidence');
  }, 240_000);

  it('at Safety, runs the deep audit chain verification; Resume is confirmed by Alice and then Bob', async () => {
    await runChecks('safety');
    const verified = await ui.remediate(dashboard(), 'Verify audit chain (deep)');
    expect(await verified.innerText()).toMatch(/All \d+ audit rows in \d+ zones verify/);
    await runChecks('safety');
    await confirm('safety');

    // Resume: what Freeze froze is unfrozen item by item, then a fresh run of every check and two approvers.
    const unfreeze = dashboard().locator('[data-element="checkboxes"] input[type="checkbox"]');
    await expect.poll(() => unfreeze.count(), WAIT).toBe(3);
    for (let i = 0; i < 3; i++) {
      await unfreeze.nth(i).check();
      await expect.poll(() => dashboard().locator('[data-element="checkboxes"] input[checked]').count(), WAIT).toBe(i + 1);
    }
    await runChecks('resume');
    await ui.clickButton(dashboard(), 'gate_confirm');
    await ui.gateSection(dashboard(), 'resume').getByText('Approvals: 1 of 2').waitFor(WAIT);
    await ui.switchUser('U0BOB');
    await ui.clickButton(dashboard(), 'gate_confirm');
    await ui
      .gateSection(dashboard(), 'resume')
      .getByText(/· confirmed/)
      .waitFor(WAIT);
    await ui.switchUser('U0ALICE');
    expect(await dashboard().innerText()).toMatch(/resumed/);
    await screenshot(page, 'story-resumed');
  }, 240_000);

  it('posts the timeline to the channel as one message, with people named', async () => {
    await ui.command('/caracal timeline');
    await ui.ephemeral('Posted the timeline to the channel').waitFor(WAIT);
    const timeline = ui.botMessage('# Recovery run: README story');
    await timeline.waitFor(WAIT);
    const text = await timeline.innerText();
    expect(text).toContain('# Recovery run: README story');
    expect(text).toMatch(/Started: \S+ by @\S+ \(U0ALICE\)/);
    expect(text).toContain('(2/2)');
    expect(
      await page
        .locator('article.sb-message[data-author="caracal"]:not([data-ephemeral])')
        .filter({ hasText: '# Recovery run: README story' })
        .count(),
    ).toBe(1);
    await screenshot(page, 'story-timeline');
  }, 120_000);
});
