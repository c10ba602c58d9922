// The run dashboard: one message per run, rebuilt from the database on every change.
import type { ActionsBlock, Button, Checkboxes, KnownBlock, SectionBlock } from '@slack/types';
import { CHECKLIST_ITEMS, FREEZE_CHECKLIST, GATES, GATE_TITLES, UNFREEZE_CHECKLIST, type FreezeItem } from '../domain/gates.ts';
import type { GateState, RunState } from '../domain/run.ts';
import { ACTION, BLOCK, uniqueActionId } from './ids.ts';
import { LIMITS, sections } from './limits.ts';
import { escapeMrkdwn, slackDate, truncate } from './mrkdwn.ts';
import { actionButtonPayload, encodePayload, gateButtonPayload, overrideButtonPayload } from './payloads.ts';
import { findAction } from '../remediation/registry.ts';
import { fixesOnGate, type FindingFixes } from '../remediation/placement.ts';
import type { GateCheck } from '../domain/run.ts';
import { STATUS_EMOJI } from './status-report.ts';
import { userMention } from './users.ts';
import { drillCard } from './drill-card.ts';
import { formatInterval } from '../domain/interval.ts';
import type { LastAction } from '../recovery/actions.ts';
import type { Gate } from '../domain/gates.ts';

const ACTION_STATE: Record<LastAction['state'], string> = {
  success: ':white_check_mark: succeeded',
  partial: ':warning: partly succeeded',
  failure: ':x: failed',
  running: ':hourglass_flowing_sand: running',
  unknown: ':grey_question: started, no outcome recorded (the bot stopped during the call): check Caracal before running it again',
};

/** The gate's last remediation action and its result, under the gate. */
function lastActionBlock(a: LastAction): KnownBlock {
  const summary = a.summary ? `: ${escapeMrkdwn(truncate(a.summary, 300))}` : '';
  return {
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Last action: *${escapeMrkdwn(a.title)}* by ${userMention(a.actor)} ${slackDate(a.at.toISOString())} — ${ACTION_STATE[a.state]}${summary}`,
      },
    ],
  };
}
import { runAlertBlocks, type FiringAlert } from './alert-run.ts';
import { findingAckButton, verificationBlock } from './finding-ack.ts';

export interface DashboardOptions {
  sandbox: boolean;
  approvalsRequired: (gate: GateState['gate']) => number;
  /** Caracal alerts firing in the run's channel. */
  alerts?: readonly FiringAlert[];
  /** The run's watch (`/caracal watch`): whether its open gate's checks re-run on their own, and how often. */
  watch?: { mode: 'on' | 'off'; intervalMs: number };
}

/** ` · watching every 5 min`: people see whether the thread will hear about changes without asking. */
function watchText(run: RunState, watch: DashboardOptions['watch']): string {
  if (!watch || run.status !== 'active') return '';
  return watch.mode === 'off'
    ? ' · :no_bell: watch off (`/caracal watch on`)'
    : ` · :eyes: watching the open gate every ${formatInterval(watch.intervalMs)}`;
}

const GATE_EMOJI: Record<GateState['status'], string> = {
  locked: ':lock:',
  open: ':arrow_forward:',
  confirmed: ':white_check_mark:',
  overridden: ':warning:',
};

export function runLabel(run: Pick<RunState, 'kind'>, sandbox: boolean): string {
  return `${sandbox ? '[SANDBOX] ' : ''}${run.kind === 'drill' ? '[DRILL] ' : ''}`;
}

/** Checklist block id: carries the payload (checkboxes have no value) and the run version (fresh id per update). */
export function checklistBlockId(run: RunState, gate: 'freeze' | 'resume' = 'freeze'): string {
  return `${BLOCK.gate}_${gate}|v${run.version}|${encodePayload(gateButtonPayload, { v: 1, runId: run.id, gate })}`;
}

/** Resume's checklist: each item Freeze recorded, who froze it, to be ticked by whoever restores it. */
function unfreezeBlock(run: RunState, g: GateState): KnownBlock | undefined {
  const frozen = run.gates.find((x) => x.gate === 'freeze')?.checklist ?? {};
  const items = CHECKLIST_ITEMS.filter((item) => frozen[item] !== undefined);
  if (items.length === 0) return undefined;
  // Who froze what goes in the text: an option's own text is capped at 75 characters, a mention included.
  const options = items.map((item) => ({
    text: { type: 'mrkdwn' as const, text: truncate(UNFREEZE_CHECKLIST[item], LIMITS.optionText) },
    value: item,
  }));
  const ticked = options.filter((o) => g.checklist[o.value]);
  const record = items.map((item) => `• ${UNFREEZE_CHECKLIST[item]} (frozen by ${userMention(frozen[item] ?? '')})`);
  return {
    type: 'section',
    block_id: checklistBlockId(run, 'resume'),
    text: {
      type: 'mrkdwn',
      text: ['*Unfreeze checklist*: what Freeze recorded; tick each item once it is restored (logged with your name)', ...record].join(
        '\n',
      ),
    },
    accessory: { type: 'checkboxes', action_id: ACTION.freezeChecklist, options, ...(ticked.length ? { initial_options: ticked } : {}) },
  };
}

function checkLine(c: GateCheck): string {
  return `${STATUS_EMOJI[c.status]} \`${c.checkId}\` ${slackDate(c.finishedAt.toISOString(), '{ago}')}${c.status === 'pass' ? '' : `: ${escapeMrkdwn(truncate(c.summary, 200))}`}`;
}

/** Where a finding settles by design, under its check line. */
function settledLines(f: FindingFixes): string[] {
  return f.settled.map(
    (s) =>
      `    _${s.finding === '*' ? 'Settles' : `\`${escapeMrkdwn(s.finding)}\` settles`} at ${GATE_TITLES[s.gate]} by design: ${escapeMrkdwn(s.note)}_`,
  );
}

/** Checks whose findings carry buttons are drawn with them (findingBlocks), not in the gate's text. */
function gateText(
  g: GateState,
  index: number,
  opts: DashboardOptions,
  withButtons: ReadonlySet<string> = new Set(),
  fixes: readonly FindingFixes[] = [],
): string {
  const lines = [`${GATE_EMOJI[g.status]} *${index + 1}. ${GATE_TITLES[g.gate]}* · ${g.status}`];
  if (g.claimedBy && g.status === 'open') lines.push(`Claimed by ${userMention(g.claimedBy)}`);
  if (g.doneBy && g.doneAt)
    lines.push(
      `${g.status === 'overridden' ? 'Overridden' : 'Confirmed'} by ${userMention(g.doneBy)} ${slackDate(g.doneAt.toISOString(), '{ago}')}`,
    );
  const required = opts.approvalsRequired(g.gate);
  if (g.status === 'open' && required > 1) {
    lines.push(
      `Approvals: ${g.confirmVotes.length} of ${required}${g.confirmVotes.length ? ` (${g.confirmVotes.map((v) => userMention(v.userId)).join(', ')})` : ''}`,
    );
  }
  if (g.override) {
    lines.push(
      `:hourglass: Override requested by ${userMention(g.override.requestedBy)}: _${escapeMrkdwn(truncate(g.override.reason, 500))}_. Waiting for a second approver.`,
    );
  }
  for (const c of g.checks) {
    if (withButtons.has(c.checkId)) continue;
    lines.push(checkLine(c));
    const f = fixes.find((x) => x.checkId === c.checkId);
    if (f) lines.push(...settledLines(f));
  }
  if (g.gate !== 'freeze' && g.checks.length === 0 && g.status !== 'locked') lines.push('_No checks run yet._');
  return lines.join('\n');
}

function button(actionId: string, text: string, value: string, extra: Partial<Button> = {}): Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text }, value, ...extra };
}

function gateActions(run: RunState, g: GateState): KnownBlock[] {
  const value = encodePayload(gateButtonPayload, { v: 1, runId: run.id, gate: g.gate });
  const blocks: KnownBlock[] = [];
  const elements: (Button | Checkboxes)[] = [];
  if (g.gate === 'freeze') {
    const options = (Object.keys(FREEZE_CHECKLIST) as FreezeItem[]).map((item) => ({
      text: { type: 'mrkdwn' as const, text: FREEZE_CHECKLIST[item] },
      value: item,
    }));
    const ticked = options.filter((o) => g.checklist[o.value]);
    blocks.push({
      type: 'section',
      block_id: checklistBlockId(run),
      text: { type: 'mrkdwn', text: '*Freeze checklist* (anyone can tick; an approver confirms)' },
      accessory: { type: 'checkboxes', action_id: ACTION.freezeChecklist, options, ...(ticked.length ? { initial_options: ticked } : {}) },
    });
  } else {
    if (g.gate === 'resume') {
      const unfreeze = unfreezeBlock(run, g);
      if (unfreeze) blocks.push(unfreeze);
    }
    elements.push(button(ACTION.gateRunChecks, 'Run checks', value));
  }
  elements.push(button(ACTION.gateClaim, 'Claim', value));
  elements.push(button(ACTION.gateHandoff, 'Hand off…', value));
  elements.push(
    button(ACTION.gateConfirm, `Confirm ${g.gate}`, value, {
      style: 'primary',
      confirm: {
        title: { type: 'plain_text', text: `Confirm ${g.gate}?` },
        text: {
          type: 'plain_text',
          text: truncate(`You confirm: ${GATE_TITLES[g.gate]}. This is logged with your name and the evidence.`, 300),
        },
        confirm: { type: 'plain_text', text: 'Confirm' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    }),
  );
  if (g.override) {
    const ov = encodePayload(overrideButtonPayload, { v: 1, runId: run.id, gate: g.gate, overrideId: g.override.id });
    elements.push(
      button(ACTION.overrideApprove, 'Approve override', ov, { style: 'danger' }),
      button(ACTION.overrideReject, 'Reject override', ov),
    );
  } else if (g.gate !== 'resume') {
    elements.push(button(ACTION.gateOverride, 'Override…', value, { style: 'danger' }));
  }
  const ackFinding = g.gate === 'resume' ? findingAckButton(run) : undefined;
  if (ackFinding) elements.push(ackFinding);
  const actions: ActionsBlock = { type: 'actions', block_id: `${BLOCK.gateActions}_${g.gate}_v${run.version}`, elements };
  blocks.push(actions);
  return blocks;
}

/**
 * Each finding that a remediation fixes, with its buttons right under it (issue 12: the finding carries the button).
 * No confirm dialog here: the click answers with an ephemeral card that says exactly what will be called and
 * carries "Run it", so the clicker's own card can then show "Running…" and be replaced by the outcome.
 */
function findingBlocks(run: RunState, g: GateState, fixes: readonly FindingFixes[]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const f of fixes) {
    const c = g.checks.find((x) => x.checkId === f.checkId);
    const remedies = f.actions.flatMap((id) => {
      const a = findAction(id);
      if (!a) return [];
      const value = encodePayload(actionButtonPayload, { v: 1, runId: run.id, gate: g.gate, action: a.id });
      return [button(uniqueActionId(ACTION.gateRemediate, `${a.id}.${f.checkId}`), truncate(a.title, 75), value)];
    });
    if (!c || remedies.length === 0) continue;
    blocks.push(...sections([checkLine(c), ...settledLines(f)].join('\n'), `finding_${g.gate}_${f.checkId}_v${run.version}`));
    blocks.push({ type: 'actions', block_id: `remediate_${g.gate}_${f.checkId}_v${run.version}`, elements: remedies });
  }
  return blocks;
}

export function runDashboardMessage(
  run: RunState,
  opts: DashboardOptions,
  summaryText?: string,
  actions?: ReadonlyMap<Gate, LastAction>,
): { text: string; blocks: KnownBlock[] } {
  const label = runLabel(run, opts.sandbox);
  const open = run.gates.find((g) => g.status === 'open');
  const state = run.status === 'active' ? `current gate: ${open ? GATE_TITLES[open.gate] : 'none'}` : run.status;
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(`${label}Recovery: ${run.title}`, LIMITS.headerText) } },
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: `Started by ${userMention(run.startedBy)} ${slackDate(run.startedAt.toISOString())} · ${state} · run \`${run.id}\`${run.environment ? ` · environment \`${escapeMrkdwn(run.environment)}\`` : ''}${watchText(run, opts.watch)}${opts.sandbox ? ' · *SANDBOX*' : ''}${run.kind === 'drill' ? ' · *DRILL*' : ''}`,
        },
      ],
    },
  ];
  blocks.push(...drillCard(run, opts.sandbox));
  blocks.push(...runAlertBlocks(run, opts.alerts ?? []));
  GATES.forEach((gate, i) => {
    const g = run.gates.find((x) => x.gate === gate);
    if (!g) return;
    const live = run.status === 'active' && g.status === 'open';
    const fixes = live ? fixesOnGate(g) : [];
    const withButtons = new Set(fixes.filter((f) => f.actions.length > 0).map((f) => f.checkId));
    const section: SectionBlock[] = sections(gateText(g, i, opts, withButtons, fixes), `${BLOCK.gate}_${gate}_v${run.version}`);
    blocks.push(...section);
    if (live) blocks.push(...findingBlocks(run, g, fixes));
    const last = actions?.get(gate);
    if (last) blocks.push(lastActionBlock(last));
    // The deep verification is run at Safety and is evidence for Resume: shown under both while they matter.
    if (run.verification && (gate === 'resume' || (gate === 'safety' && g.status === 'open')))
      blocks.push(verificationBlock(run.verification));
    if (live) blocks.push(...gateActions(run, g));
  });
  if (summaryText) blocks.push({ type: 'divider' }, ...sections(summaryText));
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: ':thread: Incident log in the thread below. `/caracal note <text>` adds to it.' }],
  });
  return { text: truncate(`${label}Recovery run "${escapeMrkdwn(run.title)}": ${state}`, LIMITS.fallbackText), blocks };
}
