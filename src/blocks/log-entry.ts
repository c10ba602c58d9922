// One incident-log thread reply per event: who, what, when, and the evidence summary.
import type { KnownBlock } from '@slack/types';
import { CHECKLISTS, FREEZE_CHECKLIST, GATE_TITLES } from '../domain/gates.ts';
import type { DrillMarker, RunState } from '../domain/run.ts';
import type { ActionResult, StoredEvent } from '../domain/events.ts';
import { drillRecoveryNote, formatDuration, summarize } from '../recovery/summary.ts';
import { LIMITS, sections } from './limits.ts';
import { escapeKeepingUserMentions, escapeMrkdwn, truncate } from './mrkdwn.ts';
import { runLabel } from './run-dashboard.ts';
import { userMention } from './users.ts';
import { describeAlertEvent } from './alert-event.ts';
import { broadcastEntry, describeScheduled, releaseButton } from './schedule-entry.ts';

const gateName = (e: StoredEvent): string => (e.gate ? `*${GATE_TITLES[e.gate]}*` : 'the run');
const quoted = (lines: readonly string[]): string => lines.map((l) => `> ${escapeMrkdwn(truncate(l, 400))}`).join('\n');

export function describeEvent(e: StoredEvent): string {
  const who = userMention(e.actor);
  switch (e.type) {
    case 'run_started': {
      const link = e.data.alertMessage ? ` from <${escapeMrkdwn(e.data.alertMessage)}|the alert message>` : '';
      return `:rotating_light: ${who} started the recovery run *${escapeMrkdwn(e.data.title)}*${link}.`;
    }
    case 'alert_firing':
    case 'alert_resolved':
      return describeAlertEvent(e);
    case 'note':
      return `:memo: ${who}: ${escapeKeepingUserMentions(e.data.text)}`; // long notes are split at the egress, never cut
    case 'gate_claimed':
      return `:raising_hand: ${who} claimed ${gateName(e)}${e.data.previous ? ` (from ${userMention(e.data.previous)})` : ''}.`;
    case 'gate_handed_off':
      return `:handshake: ${who} handed ${gateName(e)} ${e.data.from ? `from ${userMention(e.data.from)} ` : ''}to ${userMention(e.data.to)}: _${escapeKeepingUserMentions(e.data.note)}_`;
    case 'checks_recorded': {
      const { failing, total } = e.data;
      return `:mag: ${who} ran the ${gateName(e)} checks: ${total - failing.length} of ${total} pass${failing.length ? `; not passing: ${escapeMrkdwn(failing.join(', '))}` : ''}.`;
    }
    case 'checklist_ticked': {
      const label = (e.gate ? CHECKLISTS[e.gate] : undefined)?.[e.data.item] ?? FREEZE_CHECKLIST[e.data.item];
      return `${e.data.checked ? ':ballot_box_with_check:' : ':white_square:'} ${who} ${e.data.checked ? 'ticked' : 'unticked'} "${label}".`;
    }
    case 'confirm_vote':
      return `:heavy_check_mark: ${who} approved ${gateName(e)} (${e.data.votes.length} of ${e.data.required} approvals).`;
    case 'gate_confirmed': {
      const { checks } = e.data;
      const evidence = checks.length
        ? `; evidence: ${checks.filter((c) => c.status === 'pass').length} of ${checks.length} checks passed`
        : '';
      return `:white_check_mark: ${gateName(e)} confirmed (approvers: ${e.data.approvers.map(userMention).join(', ')}${evidence}).`;
    }
    case 'override_requested':
      return `:warning: ${who} requested an override of ${gateName(e)}: _${escapeMrkdwn(e.data.reason)}_`;
    case 'override_approved':
      return `:warning: ${who} approved the override of ${gateName(e)} requested by ${userMention(e.data.requestedBy)}: _${escapeMrkdwn(e.data.reason)}_`;
    case 'override_rejected':
      return `:no_entry_sign: ${who} rejected the override of ${gateName(e)} requested by ${userMention(e.data.requestedBy)}.`;
    case 'gate_opened':
      return `:arrow_forward: ${gateName(e)} is open.`;
    case 'run_resumed':
      return `:tada: ${who} completed Resume: the run is over.`;
    case 'run_cancelled':
      return `:octagonal_sign: ${who} cancelled the run${e.data.reason ? `: _${escapeMrkdwn(e.data.reason)}_` : ' (no reason given)'}.`;
    case 'action_run': {
      const lines = quoted(e.data.lines);
      return `${e.data.ok ? ':wrench:' : ':warning:'} ${who} ran *${escapeMrkdwn(e.data.title)}*: ${escapeMrkdwn(e.data.summary)}${lines ? `\n${lines}` : ''}`;
    }
    case 'action_started':
      return `:hourglass_flowing_sand: ${who} started *${escapeMrkdwn(e.data.title)}* (${escapeMrkdwn(e.data.target)}).`;
    case 'action_finished': {
      const lines = quoted(e.data.lines);
      const icon = e.data.result === 'success' ? ':white_check_mark:' : e.data.result === 'partial' ? ':warning:' : ':x:';
      return `${icon} *${escapeMrkdwn(e.data.title)}* (run by ${who}) ${RESULT_WORD[e.data.result]}: ${escapeMrkdwn(e.data.summary)}${lines ? `\n${lines}` : ''}`;
    }
    case 'drill_marker':
      return `:stopwatch: [DRILL] ${who} recorded: ${MARKER_WORDS[e.data.marker]}.`;
    case 'baseline_recorded': {
      const lines = e.data.lines.map((l) => `> ${escapeMrkdwn(l)}`).join('\n');
      return `:bookmark: Residue baseline recorded at the run's start (old residue is shown, only what is new since fails)${lines ? `:\n${lines}` : '.'}`;
    }
    case 'residue_exported': {
      // Evidence kept whole: a long export is split by the egress, never cut.
      const body = e.data.lines.join('\n');
      return `:package: ${who} exported ${escapeMrkdwn(e.data.what)} (part ${e.data.part} of ${e.data.parts}) before removal:${body ? `\n\`\`\`\n${escapeMrkdwn(body)}\n\`\`\`` : ''}`;
    }
    case 'finding_acknowledged':
      return `:eyes: ${who} acknowledged the deep verification finding (${escapeMrkdwn(e.data.finding)}) for Resume (${e.data.acks} of ${e.data.required}): _${escapeMrkdwn(e.data.reason)}_`;
    case 'denied':
      return `:no_entry: ${who} was refused (${escapeMrkdwn(e.data.command)} on ${gateName(e)}): ${escapeMrkdwn(e.data.reason)}`;
    case 'watch_set':
    case 'watch_changed':
    case 'watch_ready':
    case 'gate_released':
    case 'reminder':
      return describeScheduled(e);
  }
}

const MARKER_WORDS: Record<DrillMarker, string> = {
  injected: 'the fault is injected (t0)',
  alert_fired: 'the expected alert fired',
  recovered: 'the system recovered',
};

const RESULT_WORD: Record<ActionResult, string> = { success: 'succeeded', partial: 'partly succeeded', failure: 'failed' };

/** The end-of-run summary: time to recover, time per gate, approvers, overrides. */
export function summaryText(events: readonly StoredEvent[]): string {
  const s = summarize(events);
  const perGate = s.gates
    .map((g) => `• ${GATE_TITLES[g.gate]}: ${formatDuration(g.durationMs)}${g.how === 'overridden' ? ' (overridden)' : ''}`)
    .join('\n');
  const overrides = s.overrides
    .map(
      (o) =>
        `\n• ${GATE_TITLES[o.gate]}: ${userMention(o.requestedBy)} → ${userMention(o.approvedBy)}: _${escapeMrkdwn(truncate(o.reason, 300))}_`,
    )
    .join('');
  const drill = s.drill.injectedAt
    ? `\n*Drill:* time to detect ${formatDuration(s.drill.timeToDetectMs)}, time to recover ${formatDuration(s.drill.timeToRecoverMs)} (from fault injected)${drillRecoveryNote(s.drill)}`
    : '';
  return `*Time to recover:* ${formatDuration(s.timeToRecoverMs)}${drill}\n${perGate}\n*Approvers:* ${s.approvers.map(userMention).join(', ') || '—'}\n*Overrides:* ${s.overrides.length}${overrides}`;
}

function utcTime(at: Date): string {
  return `${at.toISOString().slice(11, 19)}Z`;
}

export function logEntryMessage(
  e: StoredEvent,
  run: RunState,
  opts: { sandbox: boolean; events?: readonly StoredEvent[] },
): { text: string; blocks: KnownBlock[]; broadcast?: boolean } {
  const body = `\`${utcTime(e.at)}\` ${describeEvent(e)}`;
  const blocks: KnownBlock[] = sections(body);
  if (e.type === 'run_resumed' && opts.events) blocks.push(...sections(summaryText(opts.events)));
  const release = releaseButton(e);
  if (release) blocks.push(release);
  return {
    text: truncate(`${runLabel(run, opts.sandbox)}${body}`, LIMITS.fallbackText),
    blocks,
    ...(broadcastEntry(e) ? { broadcast: true } : {}),
  };
}
