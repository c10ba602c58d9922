// What one person's Home tab shows, read from the state database and Slack: the open runs in the channels they are
// in (users.conversations, so a private channel's run never shows to someone outside it), their claims, and the
// last status report per environment. Fail closed: when their channels cannot be read, runs are left out and the
// Home says why.
import type { WebClient } from '@slack/web-api';
import { appHomeView, clampPage, RUNS_PER_PAGE, type HomeModel, type HomeRun } from '../blocks/app-home.ts';
import type { HomeView } from '@slack/types';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { briefOf } from '../recovery/brief.ts';
import type { GatePolicy } from '../recovery/machine.ts';
import { currentGate, type RunState } from '../domain/run.ts';
import { slackCall, slackErrorCode } from '../slack/slack-call.ts';
import type { Db } from '../store/db.ts';
import { activeRunHeads, lastReports, openClaims, type ActiveRunHead, type LastReport } from '../store/home.ts';
import { loadRun } from '../store/runs.ts';
import { joinUrl } from '../url.ts';

export interface HomeContentDeps {
  db: Db;
  client: WebClient;
  metrics: Metrics;
  logger: Logger;
  policy: GatePolicy;
  /** Configured environment names, the default first. */
  environments: readonly string[];
  defaultEnvironment: string;
  sandbox: boolean;
  now: () => Date;
  /** How long one person's channel list is trusted (default 60 s). */
  channelsTtlMs?: number;
}

/** What one publish pass reads once for every Home it renders. */
export interface HomeSnapshot {
  heads: ActiveRunHead[];
  reports: LastReport[];
  run(id: string): Promise<RunState | undefined>;
}

export function createHomeContent(deps: HomeContentDeps) {
  const { db, client, metrics } = deps;
  const channelCache = new Map<string, { at: number; channels: ReadonlySet<string> }>();
  let workspaceUrl: Promise<string | undefined> | undefined;

  /** Slack's permalink form (https://<workspace>.slack.com/archives/<channel>/p<ts>), from auth.test's url. */
  async function permalink(channelId: string, ts: string | undefined): Promise<string | undefined> {
    if (!ts) return undefined;
    workspaceUrl ??= slackCall(metrics, 'auth.test', () => client.auth.test()).then(
      (r) => r.url,
      (err: unknown) => {
        deps.logger.warn({ code: slackErrorCode(err) }, 'auth.test failed: the Home shows no links for now');
        workspaceUrl = undefined;
        return undefined;
      },
    );
    const base = await workspaceUrl;
    return base ? joinUrl(base, `/archives/${channelId}/p${ts.replace('.', '')}`) : undefined;
  }

  async function channelsOf(userId: string): Promise<ReadonlySet<string>> {
    const cached = channelCache.get(userId);
    const ttl = deps.channelsTtlMs ?? 60_000;
    if (cached && Date.now() - cached.at < ttl) return cached.channels;
    const channels = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await slackCall(metrics, 'users.conversations', () =>
        client.users.conversations({
          user: userId,
          types: 'public_channel,private_channel',
          exclude_archived: true,
          limit: 999,
          ...(cursor ? { cursor } : {}),
        }),
      );
      for (const c of page.channels ?? []) if (c.id) channels.add(c.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    channelCache.set(userId, { at: Date.now(), channels });
    return channels;
  }

  async function snapshot(): Promise<HomeSnapshot> {
    const runs = new Map<string, Promise<RunState | undefined>>();
    const [heads, reports] = await Promise.all([activeRunHeads(db), lastReports(db)]);
    return {
      heads,
      reports,
      run: (id) => {
        let p = runs.get(id);
        if (!p) runs.set(id, (p = loadRun(db, id)));
        return p;
      },
    };
  }

  async function homeRun(run: RunState, now: Date): Promise<HomeRun> {
    const open = currentGate(run);
    return {
      id: run.id,
      channelId: run.channelId,
      title: run.title,
      kind: run.kind,
      environment: run.environment ?? deps.defaultEnvironment,
      startedAt: run.startedAt,
      gate: open?.gate,
      claimedBy: open?.claimedBy,
      blockers: briefOf(run, deps.policy, now).blockers,
      link: await permalink(run.channelId, run.dashboardTs),
    };
  }

  /** The view for `userId` at `page` (clamped), and the page it shows. */
  async function render(userId: string, page: number, snap: HomeSnapshot): Promise<{ view: HomeView; page: number }> {
    const now = deps.now();
    let visible: ReadonlySet<string> = new Set();
    let problem: string | undefined;
    try {
      visible = await channelsOf(userId);
    } catch (err) {
      problem = `I could not read which channels you are in (${slackErrorCode(err)}), so open runs are not listed here for now. Each run's channel has its dashboard.`;
    }
    const mine = snap.heads.filter((h) => visible.has(h.channelId));
    const shown = clampPage(page, mine.length);
    const slice = mine.slice(shown * RUNS_PER_PAGE, (shown + 1) * RUNS_PER_PAGE);
    // One at a time: a page is 20 runs, and the state database's pool is shared with every listener.
    const runs: RunState[] = [];
    for (const h of slice) {
      const run = await snap.run(h.id);
      if (run?.status === 'active') runs.push(run);
    }
    const claims = (await openClaims(db, userId)).filter((c) => visible.has(c.channelId));
    const model: HomeModel = {
      runs: await Promise.all(runs.map((r) => homeRun(r, now))),
      total: mine.length,
      page: shown,
      claims: await Promise.all(claims.map(async (c) => ({ ...c, link: await permalink(c.channelId, c.dashboardTs) }))),
      reports: await Promise.all(snap.reports.map(async (r) => ({ ...r, link: await permalink(r.channelId, r.messageTs) }))),
      environments: deps.environments,
      sandbox: deps.sandbox,
      now,
      problem,
    };
    return { view: appHomeView(model), page: shown };
  }

  return { snapshot, render, forget: (userId: string) => channelCache.delete(userId) };
}

export type HomeContent = ReturnType<typeof createHomeContent>;
