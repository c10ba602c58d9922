// The App Home tab: pure function from what one person can see to a `home` view. Open runs are paged
// (RUNS_PER_PAGE per page, Previous/Next buttons) so the view stays far inside Slack's 100-block limit
// however many runs are open.
import type { Button, HomeView, KnownBlock } from '@slack/types';
import type { CheckStatus } from '../domain/check-result.ts';
import { formatDuration } from '../recovery/summary.ts';
import { GATES, GATE_TITLES } from '../domain/gates.ts';
import type { Gate } from '../domain/gates.ts';
import { ACTION, uniqueActionId } from './ids.ts';
import { LIMITS } from './limits.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';
import { encodePayload, homePagePayload } from './payloads.ts';
import { STATUS_EMOJI } from './status-report.ts';
import { userMention } from './users.ts';

export const RUNS_PER_PAGE = 20;
/** Slack's limit for a Home view. */
export const HOME_MAX_BLOCKS = 100;

export interface HomeRun {
  id: string;
  channelId: string;
  title: string;
  kind: 'recovery' | 'drill';
  environment: string;
  startedAt: Date;
  /** The open gate, its 1-based position, and who holds it. */
  gate: Gate | undefined;
  claimedBy: string | undefined;
  /** Why the open gate cannot be confirmed yet (the same reasons as `/caracal summary`). */
  blockers: readonly string[];
  /** The dashboard message's permalink, when known. */
  link: string | undefined;
}

export interface HomeClaim {
  runId: string;
  channelId: string;
  title: string;
  environment: string;
  gate: Gate;
  link: string | undefined;
}

export interface HomeReport {
  environment: string;
  channelId: string;
  at: Date;
  counts: Record<CheckStatus, number>;
  link: string | undefined;
}

export interface HomeModel {
  /** The runs this person can see on this page, already sliced; `total` counts all of them. */
  runs: readonly HomeRun[];
  total: number;
  /** 0-based, already clamped to the pages there are. */
  page: number;
  claims: readonly HomeClaim[];
  reports: readonly HomeReport[];
  /** Every configured environment, so one with no report yet says so. */
  environments: readonly string[];
  sandbox: boolean;
  now: Date;
  /** Why runs may be missing (the channel list could not be read): shown, never hidden. */
  problem?: string | undefined;
}

export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / RUNS_PER_PAGE));
}

export function clampPage(page: number, total: number): number {
  return Math.min(Math.max(0, Math.floor(page)), pageCount(total) - 1);
}

const ago = (now: Date, at: Date) => formatDuration(Math.max(0, now.getTime() - at.getTime()));
const linked = (text: string, link: string | undefined) => (link ? `<${link}|${text}>` : text);
const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) }],
});
const section = (text: string): KnownBlock => ({ type: 'section', text: { type: 'mrkdwn', text: truncate(text, LIMITS.sectionText) } });

function runBlock(r: HomeRun, now: Date): KnownBlock {
  const label = `${r.kind === 'drill' ? '[DRILL] ' : ''}${escapeMrkdwn(truncate(r.title, 150))}`;
  const where = r.gate
    ? `Gate ${GATES.indexOf(r.gate) + 1} of ${GATES.length}: *${GATE_TITLES[r.gate]}*, ${r.claimedBy ? `held by ${userMention(r.claimedBy)}` : 'not claimed'}`
    : 'No gate open';
  const blocked = r.blockers.length
    ? `Blocked by: ${escapeMrkdwn(truncate(r.blockers.join('; '), 600))}`
    : 'Nothing blocks it: an approver can confirm.';
  return section(
    [
      `*${linked(label, r.link)}* · \`${escapeMrkdwn(r.environment)}\` · <#${r.channelId}> · open ${ago(now, r.startedAt)}`,
      where,
      blocked,
      r.link ? `<${r.link}|Open the dashboard>` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
}

function verdictOf(counts: Record<CheckStatus, number>): CheckStatus {
  return counts.error > 0 ? 'error' : counts.fail > 0 ? 'fail' : counts.warn > 0 ? 'warn' : 'pass';
}

function reportsText(m: HomeModel): string {
  const byEnv = new Map(m.reports.map((r) => [r.environment, r]));
  const names = [...new Set([...m.environments, ...m.reports.map((r) => r.environment)])];
  const lines = names.map((env) => {
    const r = byEnv.get(env);
    if (!r)
      return `\`${escapeMrkdwn(env)}\`: no status report yet (\`/caracal status${m.environments.length > 1 ? ` ${escapeMrkdwn(env)}` : ''}\`)`;
    const failing = r.counts.fail + r.counts.error;
    return `${STATUS_EMOJI[verdictOf(r.counts)]} \`${escapeMrkdwn(env)}\`: ${failing} failing, ${r.counts.warn} warning, ${r.counts.pass} passing · ${linked(`${ago(m.now, r.at)} ago`, r.link)} in <#${r.channelId}>`;
  });
  return `*Last status report per environment*\n${lines.join('\n')}`;
}

function claimsText(m: HomeModel): string {
  if (m.claims.length === 0) return '*Your claims*\nYou hold no open gate.';
  const lines = m.claims
    .slice(0, 20)
    .map(
      (c) =>
        `• ${linked(`*${GATE_TITLES[c.gate]}*`, c.link)} in "${escapeMrkdwn(truncate(c.title, 80))}" · \`${escapeMrkdwn(c.environment)}\` · <#${c.channelId}>`,
    );
  if (m.claims.length > 20) lines.push(`…and ${m.claims.length - 20} more.`);
  return `*Your claims*\n${lines.join('\n')}`;
}

function pager(m: HomeModel): KnownBlock[] {
  const pages = pageCount(m.total);
  if (pages <= 1) return [];
  const elements: Button[] = [];
  const button = (suffix: string, text: string, page: number): Button => ({
    type: 'button',
    action_id: uniqueActionId(ACTION.homePage, suffix),
    text: { type: 'plain_text', text },
    value: encodePayload(homePagePayload, { v: 1, page }),
  });
  if (m.page > 0) elements.push(button('prev', '← Previous', m.page - 1));
  if (m.page < pages - 1) elements.push(button('next', 'Next →', m.page + 1));
  return [{ type: 'actions', block_id: `home_pager_${m.page}`, elements }];
}

export function appHomeView(m: HomeModel): HomeView {
  const pages = pageCount(m.total);
  const first = m.total === 0 ? 0 : m.page * RUNS_PER_PAGE + 1;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: `${m.sandbox ? '[SANDBOX] ' : ''}Caracal recovery` } },
    context(
      `Updated ${m.now.toISOString().slice(11, 16)} UTC · open runs and drills in the channels you are in · \`/caracal summary\` in a run's channel for its brief`,
    ),
  ];
  if (m.problem) blocks.push(section(`:warning: ${escapeMrkdwn(m.problem)}`));
  blocks.push(section(claimsText(m)), section(reportsText(m)), { type: 'divider' });
  blocks.push(
    section(
      m.total === 0
        ? '*Open runs*\nNo open recovery run or drill in your channels.'
        : `*Open runs* · ${first}–${first + m.runs.length - 1} of ${m.total} (page ${m.page + 1} of ${pages})`,
    ),
  );
  for (const r of m.runs) blocks.push(runBlock(r, m.now));
  blocks.push(...pager(m));
  return { type: 'home', blocks };
}
