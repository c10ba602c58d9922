// The sandbox in a real browser: the page a newcomer opens after `npm start`, driving the real bot through signed
// requests, against the simulated Caracal. Screenshots go to test-artifacts/.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configFromObject } from '../../../src/config.ts';
import { FAULTS } from '../../../src/sandbox/caracal/index.ts';
import { startSandbox, type Sandbox } from '../../../src/sandbox/start.ts';
import { leaseRedisDb, type LeasedRedis } from '../../helpers/redis.ts';
import { launchChromium, SandboxPage, screenshot } from './browser.ts';

// API and Coordinator /ready may take up to checks.readyAnswerTimeoutMs (25 s) to answer during a Redis outage (caracal-ops.md §15.1.1).
const WAIT = { timeout: 40_000 };
const GATES = ['storage', 'services', 'evidence', 'safety'] as const;

describe('the sandbox in a browser', () => {
  let redis: LeasedRedis;
  let sandbox: Sandbox;
  let browser: Browser;
  let page: Page;
  let ui: SandboxPage;

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
    await page.goto(`${sandbox.url}/?user=U0ALICE&channel=C0INCIDENT`);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sandbox?.close();
    await redis?.release();
  });

  it('shows every check green, then the Redis outage with the right reasons, then green again', async () => {
    await ui.command('/caracal status');
    const report = ui.botMessage('Caracal status');
    await report.getByText(/Caracal status(?: \([a-z0-9-]+\))?: All \d+ checks pass/).waitFor(WAIT);
    expect(await report.innerText()).toContain('[SANDBOX]');
    await screenshot(page, 'sandbox-status-green');

    const fault = page.getByTestId('fault-redis_outage');
    await fault.getByRole('button', { name: 'Inject' }).click();
    await page.locator('[data-testid="fault-redis_outage"][data-active="true"]').waitFor(WAIT);
    await ui.clickButton(report, 'status_rerun');
    await report.getByText(/Caracal status(?: \([a-z0-9-]+\))?: Redis unavailable: \d+ failing/).waitFor(WAIT);
    const text = await report.innerText();
    const shows = FAULTS.find((f) => f.id === 'redis_outage')!.shows;
    expect(shows.length).toBeGreaterThanOrEqual(3);
    for (const e of shows) {
      expect(text).toContain(e.check);
      for (const reason of e.contains) expect(text).toContain(reason);
    }
    expect(text).toMatch(
      new RegExp(`Caracal status(?: \\([a-z0-9-]+\\))?: Redis unavailable: ${shows.filter((e) => e.status === 'fail').length} failing`),
    );
    // The reason in words, not the client library's "max retries" message.
    expect(text).toMatch(/Redis PING: connection (refused|reset|lost \(connection (refused|reset)\))/);
    expect(text).not.toContain('maxRetriesPerRequest');
    await screenshot(page, 'sandbox-status-redis-outage');

    await fault.getByRole('button', { name: 'Clear' }).click();
    await page.locator('[data-testid="fault-redis_outage"][data-active="false"]').waitFor(WAIT);
    await ui.clickButton(report, 'status_rerun');
    await report.getByText(/Caracal status(?: \([a-z0-9-]+\))?: All \d+ checks pass/).waitFor(WAIT);
  }, 120_000);

  it('walks a recovery run to Resume; a non-approver is refused; the second approval comes from another person', async () => {
    await ui.command('/caracal recover Redis outage rehearsal');
    const dashboard = ui.botMessage('Recovery: Redis outage rehearsal');
    await dashboard.waitFor(WAIT);

    // Freeze: anyone ticks the checklist, an approver confirms.
    const boxes = dashboard.locator('[data-element="checkboxes"] input[type="checkbox"]');
    const count = await boxes.count();
    expect(count).toBe(3);
    for (let i = 0; i < count; i++) {
      await boxes.nth(i).check();
      // The `checked` attribute comes from the bot's re-rendered message (initial_options), not the local click.
      await expect.poll(() => dashboard.locator('[data-element="checkboxes"] input[checked]').count(), WAIT).toBe(i + 1);
    }
    await ui.clickButton(dashboard, 'gate_confirm');
    await ui.gateSection(dashboard, 'freeze').getByText('confirmed').waitFor(WAIT);

    for (const gate of GATES) {
      await ui.clickButton(dashboard, 'gate_run_checks');
      await expect.poll(async () => (await ui.gateText(dashboard, gate)).includes('No checks run yet'), WAIT).toBe(false);
      if (gate === 'storage') {
        await ui.switchUser('U0EVE');
        await ui.clickButton(dashboard, 'gate_confirm');
        await ui.ephemeral('Only configured approvers can confirm').waitFor(WAIT);
        await screenshot(page, 'sandbox-non-approver-refused');
        expect(await ui.gateText(dashboard, gate)).toContain('open');
        await ui.switchUser('U0ALICE');
      }
      if (gate === 'safety') {
        // The tamper sweep covers only recent rows: Safety asks for this run's deep verification, then a fresh run.
        const card = await ui.remediate(dashboard, 'Verify audit chain (deep)');
        expect(await card.innerText()).toMatch(/All \d+ audit rows in \d+ zones verify/);
        const before = await ui.gateText(dashboard, gate);
        await ui.clickButton(dashboard, 'gate_run_checks');
        await expect.poll(async () => (await ui.gateText(dashboard, gate)) !== before, WAIT).toBe(true);
      }
      await ui.clickButton(dashboard, 'gate_confirm');
      await ui
        .gateSection(dashboard, gate)
        .getByText(/· confirmed/)
        .waitFor(WAIT);
    }

    // Resume: each item Freeze recorded is ticked as it is unfrozen, then a fresh all-green run and two approvers.
    const unfreeze = dashboard.locator('[data-element="checkboxes"] input[type="checkbox"]');
    await expect.poll(() => unfreeze.count(), WAIT).toBe(3);
    for (let i = 0; i < 3; i++) {
      await unfreeze.nth(i).check();
      await expect.poll(() => dashboard.locator('[data-element="checkboxes"] input[checked]').count(), WAIT).toBe(i + 1);
    }
    await ui.clickButton(dashboard, 'gate_run_checks');
    await expect.poll(async () => (await ui.gateText(dashboard, 'resume')).includes('No checks run yet'), WAIT).toBe(false);
    await ui.clickButton(dashboard, 'gate_confirm');
    await ui.gateSection(dashboard, 'resume').getByText('Approvals: 1 of 2').waitFor(WAIT);
    await ui.switchUser('U0BOB');
    await ui.clickButton(dashboard, 'gate_confirm');
    await ui
      .gateSection(dashboard, 'resume')
      .getByText(/· confirmed/)
      .waitFor(WAIT);
    await dashboard
      .getByText(/resumed/)
      .first()
      .waitFor(WAIT);
    await screenshot(page, 'sandbox-recovery-resumed');

    // The incident log thread holds every step, with who did it.
    const ts = await dashboard.getAttribute('data-ts');
    await page.locator(`[data-thread-toggle="${ts}"]`).click();
    const thread = page.locator(`[data-thread="${ts}"]`);
    await thread.waitFor(WAIT);
    const log = await thread.innerText();
    expect(log).toMatch(/@eve/);
    expect(log).toMatch(/@bob/);
    const events = await sandbox.db.query<{ type: string; actor: string }>(`SELECT type, actor FROM events ORDER BY id`);
    expect(events.rows.filter((e) => e.type === 'gate_confirmed').map((e) => e.actor)).toEqual([
      'U0ALICE',
      'U0ALICE',
      'U0ALICE',
      'U0ALICE',
      'U0ALICE',
      'U0BOB',
    ]);
    expect(events.rows.some((e) => e.type === 'denied' && e.actor === 'U0EVE')).toBe(true);
  }, 180_000);

  it('runs a Redis outage drill: inject from the panel, detect it in the gate checks, recover, export TTD and TTR', async () => {
    await ui.switchUser('U0ALICE');
    await page.locator('button[data-channel="C0DRILLS"]').click();
    await page.locator('#channel-title').getByText('# drills').waitFor(WAIT);
    await ui.command('/caracal drill redis-outage');
    const dashboard = ui.botMessage('[DRILL]');
    await dashboard.getByText('Simulated Caracal').waitFor(WAIT);

    const fault = page.getByTestId('fault-redis_outage');
    await fault.getByRole('button', { name: 'Inject' }).click();
    await page.locator('[data-testid="fault-redis_outage"][data-active="true"]').waitFor(WAIT);
    await ui.clickButton(dashboard, 'drill_mark', 'Fault injected');
    await dashboard.getByRole('button', { name: 'Alert fired' }).waitFor(WAIT);

    const boxes = dashboard.locator('[data-element="checkboxes"] input[type="checkbox"]');
    for (let i = 0; i < 3; i++) {
      await boxes.nth(i).check();
      await expect.poll(() => dashboard.locator('[data-element="checkboxes"] input[checked]').count(), WAIT).toBe(i + 1);
    }
    await ui.clickButton(dashboard, 'gate_confirm');
    await ui
      .gateSection(dashboard, 'freeze')
      .getByText(/· confirmed/)
      .waitFor(WAIT);

    // Storage's checks see the outage: Confirm is refused with the reason, and the alert is marked.
    await ui.clickButton(dashboard, 'gate_run_checks');
    await ui
      .gateSection(dashboard, 'storage')
      .getByText(/redis\.reachable.*Could not read Caracal's Redis/)
      .waitFor(WAIT);
    await ui.clickButton(dashboard, 'drill_mark', 'Alert fired');
    await ui.clickButton(dashboard, 'gate_confirm');
    await ui.ephemeral(/cannot be confirmed: redis\.reachable is fail/).waitFor(WAIT);
    await screenshot(page, 'sandbox-drill-detected');

    await fault.getByRole('button', { name: 'Clear' }).click();
    await page.locator('[data-testid="fault-redis_outage"][data-active="false"]').waitFor(WAIT);
    await ui.clickButton(dashboard, 'gate_run_checks');
    await expect.poll(async () => (await ui.gateText(dashboard, 'storage')).includes('Could not read'), WAIT).toBe(false);
    await ui.clickButton(dashboard, 'gate_confirm');
    await ui
      .gateSection(dashboard, 'storage')
      .getByText(/· confirmed/)
      .waitFor(WAIT);
    await ui.clickButton(dashboard, 'drill_mark', 'Recovered');
    await dashboard
      .getByText(/Recovered/)
      .first()
      .waitFor(WAIT);

    await ui.command('/caracal timeline');
    const timeline = ui.botMessage('time to detect (TTD)');
    await timeline.waitFor(WAIT);
    expect(await timeline.innerText()).toMatch(/time to detect \(TTD\): \S+; time to recover \(TTR\): \S+/);
  }, 180_000);
});
