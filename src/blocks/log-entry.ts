// One incident-log thread reply per event: who, what, when, and the evidence summary.
import type { KnownBlock } from '@slack/types';
import { CHECKLISTS, FREEZE_CHECKLIST, GATE_TITLES, type FreezeItem } from '../domain/gates.ts';
import type { RunState } from '../domain/run.ts';
import type { StoredEvent } from '../store/events.ts';
import { drillRecoveryNote, formatDuration, summarize } from '../recovery/summary.ts';
import { LIMITS, sections } from './limits.ts';
import { escapeKeepingUserMentions, escapeMrkdwn, truncate } from './mrkdwn.ts';
import { runLabel } from './run-dashboard.ts';
import { userMention } from './users.ts';
import { describeAlertEvent } from './alert-event.ts';
import { broadcastEntry, describeScheduled, releaseButton } from './schedule-entry.ts';

const gateName = (e: StoredEvent): string => (e.gate ? `*${GATE_TITLES[e.gate]}*` : 'the run');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => str(x)) : []);
/** Event data is JSON from our own writes; anything unexpected is shown as JSON rather than "[object Object]". */
function str(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function describeEvent(e: StoredEvent): string {
  const who = userMention(e.actor);
  const d = e.data;
  switch (e.type) {
    case 'run_started':
      return `:rotating_light: ${who} started the recovery run *${escapeMrkdwn(str(d.title))}*${typeof d.alertMessage === 'string' ? ` from <${escapeMrkdwn(d.alertMessage)}|the alert message>` : ''}.`;
    case 'alert_firing':
    case 'alert_resolved':
      return describeAlertEvent(e);
    case 'note':
      return `:memo: ${who}: ${escapeKeepingUserMentions(str(d.text))}`; // long notes are split at the egress, never cut
    case 'gate_claimed':
      return `:raising_hand: ${who} claimed ${gateName(e)}${d.previous ? ` (from ${userMention(str(d.previous))})` : ''}.`;
    case 'gate_handed_off':
      return `:handshake: ${who} handed ${gateName(e)} ${d.from ? `from ${userMention(str(d.from))} ` : ''}to ${userMention(str(d.to))}: _${escapeKeepingUserMentions(str(d.note))}_`;
    case 'checks_recorded': {
      const failing = list(d.failing);
      const total = Number(d.total ?? 0);
      return `:mag: ${who} ran the ${gateName(e)} checks: ${total - failing.length} of ${total} pass${failing.length ? `; not passing: ${escapeMrkdwn(failing.join(', '))}` : ''}.`;
    }
    case 'checklist_ticked':
      return `${d.checked ? ':ballot_box_with_check:' : ':white_square:'} ${who} ${d.checked ? 'ticked' : 'unticked'} "${(e.gate ? CHECKLISTS[e.gate] : undefined)?.[d.item as FreezeItem] ?? FREEZE_CHECKLIST[d.item as FreezeItem] ?? escapeMrkdwn(str(d.item))}".`;
    case 'confirm_vote':
      return `:heavy_check_mark: ${who} approved ${gateName(e)} (${list(d.votes).length} of ${str(d.required)} approvals).`;
    case 'gate_confirmed': {
      const checks = Array.isArray(d.checks) ? (d.checks as { status: string }[]) : [];
      const evidence = checks.length ? `; evidence: ${checks.filter((c) => c.status === 'pass').length} of ${checks.length} checks passed` : '';
      return `:white_check_mark: ${gateName(e)} confirmed (approvers: ${list(d.approvers).map(userMention).join(', ')}${evidence}).`;
    }
    case 'override_requested':
      return `:warning: ${who} requested an override of ${gateName(e)}: _${escapeMrkdwn(str(d.reason))}_`;
    case 'override_approved':
      return `:warning: ${who} approved the override of ${gateName(e)} requested by ${userMention(str(d.requestedBy))}: _${escapeMrkdwn(str(d.reason))}_`;
    case 'override_rejected':
      return `:no_entry_sign: ${who} rejected the override of ${gateName(e)} requested by ${userMention(str(d.requestedBy))}.`;
    case 'gate_opened':
      return `:arrow_forward: ${gateName(e)} is open.`;
    case 'run_resumed':
      return `:tada: ${who} completed Resume: the run is over.`;
    case 'run_cancelled':
      return `:octagonal_sign: ${who} cancelled the run${str(d.reason) ? `: _${escapeMrkdwn(str(d.reason))}_` : ' (no reason given)'}.`;
    case 'action_run': {
      const lines = list(d.lines).map((l) => `> ${escapeMrkdwn(truncate(l, 400))}`).join('\n');
      return `${d.ok ? ':wrench:' : ':warning:'} ${who} ran *${escapeMrkdwn(str(d.title))}*: ${escapeMrkdwn(str(d.summary))}${lines ? `\n${lines}` : ''}`;
    }
    case 'action_started':
      return `:hourglass_flowing_sand: ${who} started *${escapeMrkdwn(str(d.title))}* (${escapeMrkdwn(str(d.target))}).`;
    case 'action_finished': {
      const lines = list(d.lines).map((l) => `> ${escapeMrkdwn(truncate(l, 400))}`).join('\n');
      const icon = d.result === 'success' ? ':white_check_mark:' : d.result === 'partial' ? ':warning:' : ':x:';
      return `${icon} *${escapeMrkdwn(str(d.title))}* (run by ${who}) ${RESULT_WORD[str(d.result)] ?? 'finished'}: ${escapeMrkdwn(str(d.summary))}${lines ? `\n${lines}` : ''}`;
    }
    case 'drill_marker': {
      const label = { injected: 'the fault is injected (t0)', alert_fired: 'the expected alert fired', recovered: 'the system recovered' }[str(d.marker)] ?? escapeMrkdwn(str(d.marker));
      return `:stopwatch: [DRILL] ${who} recorded: ${label}.`;
    }
    case 'baseline_recorded': {
      const lines = list(d.lines).map((l) => `> ${escapeMrkdwn(l)}`).join('\n');
      return `:bookmark: Residue baseline recorded at the run's start (old residue is shown, only what is new since fails)${lines ? `:\n${lines}` : '.'}`;
    }
    case 'residue_exported': {
      // Evidence kept whole: a long export is split by the egress, never cut.
      const body = list(d.lines).join('\n');
      return `:package: ${who} exported ${escapeMrkdwn(str(d.what))} (part ${str(d.part)} of ${str(d.parts)}) before removal:${body ? `\n\`\`\`\n${escapeMrkdwn(body)}\n\`\`\`` : ''}`;
    }
    case 'finding_acknowledged':
      return `:eyes: ${who} acknowledged the deep verification finding (${escapeMrkdwn(str(d.finding))}) for Resume (${str(d.acks)} of ${str(d.required)}): _${escapeMrkdwn(str(d.reason))}_`;
    case 'denied':
      return `:no_entry: ${who} was refused (${escapeMrkdwn(str(d.command))} on ${gateName(e)}): ${escapeMrkdwn(str(d.reason))}`;
    default:
      return describeScheduled(e) ?? `${who}: ${escapeMrkdwn(e.type)} ${escapeMrkdwn(truncate(JSON.stringify(d), 500))}`;
  }
}

const RESULT_WORD: Record<string, string> = { success: 'succeeded', partial: 'partly succeeded', failure: 'failed' };

/** The end-of-run summary: time to recover, time per gate, approvers, overrides. */
export function summaryText(events: readonly StoredEvent[]): string {
  const s = summarize(events);
  const perGate = s.gates.map((g) => `• ${GATE_TITLES[g.gate]}: ${formatDuration(g.durationMs)}${g.how === 'overridden' ? ' (overridden)' : ''}`).join('\n');
  const overrides = s.overrides.map((o) => `\n• ${GATE_TITLES[o.gate]}: ${userMention(o.requestedBy)} → ${userMention(o.approvedBy)}: _${escapeMrkdwn(truncate(o.reason, 300))}_`).join('');
  const drill = s.drill.injectedAt ? `\n*Drill:* time to detect ${formatDuration(s.drill.timeToDetectMs)}, time to recover ${formatDuration(s.drill.timeToRecoverMs)} (from fault injected)${drillRecoveryNote(s.drill)}` : '';
  return `*Time to recover:* ${formatDuration(s.timeToRecoverMs)}${drill}\n${perGate}\n*Approvers:* ${s.approvers.map(userMention).join(', ') || '—'}\n*Overrides:* ${s.overrides.length}${overrides}`;
}

function utcTime(at: Date): string {
  return `${at.toISOString().slice(11, 19)}Z`;
}

export function logEntryMessage(e: StoredEvent, run: RunState, opts: { sandbox: boolean; events?: readonly StoredEvent[] }): { text: string; blocks: KnownBlock[]; broadcast?: boolean } {
  const body = `\`${utcTime(e.at)}\` ${describeEvent(e)}`;
  const blocks: KnownBlock[] = sections(body);
  if (e.type === 'run_resumed' && opts.events) blocks.push(...sections(summaryText(opts.events)));
  const release = releaseButton(e);
  if (release) blocks.push(release);
  return { text: truncate(`${runLabel(run, opts.sandbox)}${body}`, LIMITS.fallbackText), blocks, ...(broadcastEntry(e) ? { broadcast: true } : {}) };
}
