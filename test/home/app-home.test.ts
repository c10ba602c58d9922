// Issue 17 item 1, end to end: the real bot between the sandbox's Slack emulation and a real Postgres. A person opens
// the Home tab (app_home_opened), sees the open runs of the channels they are in (200 of them, paged within Slack's
// 100-block limit), their claims, and the last report per environment; the Home follows run changes, coalesced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkView } from '../../src/sandbox/slack/validate.ts';
import type { SandboxChannel } from '../../src/sandbox/slack/server.ts';
import { ACTION, uniqueActionId } from '../../src/blocks/ids.ts';
import { RUNS_PER_PAGE } from '../../src/blocks/app-home.ts';
import type { Db } from '../../src/store/db.ts';
import { testStateDb } from '../helpers/state.ts';
import { startSandboxBot, type SandboxBot } from '../helpers/sandbox-bot.ts';

const RUNS = 200;
const channels: SandboxChannel[] = Array.from({ length: RUNS }, (_, i) => ({ id: `C0RUN${String(i).padStart(4, '0')}`, name: `run-${i}` }));
// One private channel Eve is not in: its run must never reach her Home.
const secret: SandboxChannel = { id: 'G0SECRET', name: 'secret-incident', members: ['U0ALICE', 'U0BOB'] };

type Block = { type: string; text?: { text: string }; elements?: { action_id?: string; value?: string }[] };
const blocksOf = (t: SandboxBot, user: string): Block[] => (t.slack.workspace.homeFor(user)?.view.blocks ?? []) as Block[];
const textOf = (blocks: Block[]) => blocks.map((b) => b.text?.text ?? '').join('\n');
const runTitles = (blocks: Block[]) => [...textOf(blocks).matchAll(/Outage number (\d+)/g)].map((m) => Number(m[1]));

describe('App Home (issue 17)', () => {
  let state: { db: Db; drop(): Promise<void> };
  let t: SandboxBot;

  beforeAll(async () => {
    state = await testStateDb();
    t = await startSandboxBot({
      db: state.db,
      slack: { channels: [...channels, secret] },
      file: {
        slack: { reportUpdateIntervalMs: 50, postIntervalMs: 0, homeUpdateIntervalMs: 50 },
        environments: { staging: { caracal: {} } },
      },
    });
    // 200 runs started the way people start them: /caracal recover in each channel.
    for (const [i, c] of channels.entries()) {
      const ack = await t.slack.interact.command('U0ALICE', c.id, `/caracal recover Outage number ${i}`);
      expect(ack.status).toBe(200);
    }
    await t.slack.interact.command('U0ALICE', secret.id, '/caracal recover Secret outage');
    await t.settle();
  }, 180_000);
  afterAll(async () => {
    await t.stop();
    await state.drop();
  });

  it('shows the open runs page by page, each page a valid Home view under 100 blocks, every run exactly once', async () => {
    const open = await t.slack.interact.openHome('U0BOB');
    expect(open.status).toBe(200);
    await t.settle();
    const seen: number[] = [];
    const pages = Math.ceil((RUNS + 1) / RUNS_PER_PAGE);
    for (let page = 0; page < pages; page++) {
      const view = t.slack.workspace.homeFor('U0BOB')!.view;
      expect(checkView(view, 'home')).toBeUndefined(); // Slack's own rules, as the sandbox applies them
      const blocks = blocksOf(t, 'U0BOB');
      expect(blocks.length).toBeLessThanOrEqual(100);
      expect(textOf(blocks)).toContain(`page ${page + 1} of ${pages}`);
      seen.push(...runTitles(blocks));
      if (page < pages - 1) {
        const click = await t.slack.interact.clickHome('U0BOB', uniqueActionId(ACTION.homePage, 'next'));
        expect(click.status).toBe(200);
        await t.settle();
      }
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: RUNS }, (_, i) => i));
    // Previous goes back.
    expect(pages).toBeGreaterThan(1);
    await t.slack.interact.clickHome('U0BOB', uniqueActionId(ACTION.homePage, 'prev'));
    await t.settle();
    expect(textOf(blocksOf(t, 'U0BOB'))).toContain(`page ${pages - 1} of ${pages}`);
  }, 180_000);

  it('names for each run its channel, current gate, holder, age, what blocks it and a link to the dashboard', async () => {
    await t.slack.interact.openHome('U0ALICE');
    await t.settle();
    const text = textOf(blocksOf(t, 'U0ALICE'));
    expect(text).toContain('Secret outage'); // newest first, and Alice is in the private channel
    expect(text).toContain('<#G0SECRET>');
    expect(text).toContain('Gate 1 of 6: *Freeze risky changes*, not claimed');
    expect(text).toContain('Blocked by: Freeze checklist items not ticked: rollouts, policies, control');
    expect(text).toMatch(/ · open \d+[smh]/);
    expect(text).toContain('`default`');
    const dashboardTs = (await state.db.query<{ dashboard_ts: string }>(`SELECT dashboard_ts FROM runs WHERE channel_id = 'G0SECRET'`))
      .rows[0].dashboard_ts;
    expect(text).toContain(`${t.slack.url}/archives/G0SECRET/p${dashboardTs.replace('.', '')}|Open the dashboard>`);
    // The link opens the channel in the sandbox page.
    const res = await fetch(`${t.slack.url}/archives/G0SECRET/p${dashboardTs.replace('.', '')}`, { redirect: 'manual' });
    expect(res.headers.get('location')).toBe('/?channel=G0SECRET');
    expect(text).toContain('`staging`: no status report yet');
  });

  it('never shows a run of a private channel to someone outside it', async () => {
    await t.slack.interact.openHome('U0EVE');
    await t.settle();
    const text = textOf(blocksOf(t, 'U0EVE'));
    expect(text).not.toContain('Secret outage');
    expect(text).toContain(`of ${RUNS} (page 1 of ${Math.ceil(RUNS / RUNS_PER_PAGE)})`);
  });

  it("follows run changes (a claim), coalesced into one publish per Home, and lists the claimant's claims", async () => {
    const publishedBefore = t.slack.workspace.homeFor('U0ALICE')!.hash;
    const dashboard = t.slack.workspace.history('G0SECRET').find((m) => m.text.includes('Secret outage'))!;
    const claim = await t.slack.interact.click('U0ALICE', 'G0SECRET', dashboard.ts, ACTION.gateClaim);
    expect(claim.status).toBe(200);
    await t.settle();
    const home = t.slack.workspace.homeFor('U0ALICE')!;
    expect(home.hash).not.toBe(publishedBefore);
    const text = textOf(blocksOf(t, 'U0ALICE'));
    expect(text).toContain('held by <@U0ALICE>');
    expect(text).toMatch(/\*Your claims\*\n• <[^|]+\|\*Freeze risky changes\*> in "Secret outage"/);
    // Three Homes are known; one claim published each of them once.
    const rows = (
      await state.db.query<{ user_id: string; behind: boolean }>(
        'SELECT user_id, published_at < wanted_at AS behind FROM home_views ORDER BY user_id',
      )
    ).rows;
    expect(rows.map((r) => r.user_id)).toEqual(['U0ALICE', 'U0BOB', 'U0EVE']);
    expect(rows.every((r) => !r.behind)).toBe(true);
  });

  it('shows the last status report of each environment once one finishes', async () => {
    const ack = await t.slack.interact.command('U0BOB', 'C0INCIDENT', '/caracal status staging');
    expect(ack.status).toBe(200);
    await t.bot.idle();
    await t.settle();
    const text = textOf(blocksOf(t, 'U0BOB'));
    expect(text).toMatch(/`staging`: 0 failing, 0 warning, 0 passing · <[^|]+\|\d+s ago> in <#C0INCIDENT>/);
    expect(text).toContain('`default`: no status report yet');
  });
});
