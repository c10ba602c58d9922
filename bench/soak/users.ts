// One simulated person: picks a channel, looks at its dashboard as the emulated Slack shows it (possibly a render
// behind), clicks something that is there, and waits for the outcome (an event, an ephemeral answer or a modal).
import { ACTION } from '../../src/blocks/ids.ts';
import { findElement, type ElementMatch } from '../../src/sandbox/slack/payloads.ts';
import type { SandboxChannel, SandboxUser } from '../../src/sandbox/slack/people.ts';
import type { SandboxMessage } from '../../src/sandbox/slack/workspace.ts';
import { clickBody, commandBody, runIdOf, submitBody, type Requester } from './requests.ts';
import type { Delivered, Sender } from './sender.ts';
import { until, type EventWatch } from './watch.ts';
import { scrubber } from '../../src/redact.ts';
import { SOAK_CHANNELS, SOAK_SECRET, SOAK_TOKEN, type SoakSlack } from './workspace.ts';

/** The bot scrubs its configured secrets from every stored note: what a note pasted with the token is kept as. */
const scrub = scrubber([SOAK_TOKEN, SOAK_SECRET]);

export type ClickKind = 'recover' | 'note' | 'claim' | 'checks' | 'confirm' | 'tick' | 'override' | 'submit' | 'approve' | 'reject';

export interface Click {
  key: string;
  user: string;
  channel: string;
  kind: ClickKind;
  runId: string | undefined;
  /** Milliseconds; every event this click causes is recorded at or after it. */
  sentAt: number;
  result: Delivered;
  /** The note's text or the override's reason, as it is stored (secrets scrubbed). */
  text?: string;
  /** Whether an event, an answer or a modal showed up before the person moved on. */
  outcomeSeen: boolean;
  /**
   * The key the bot records with the click's first event (a note's trigger_id, a click's action_ts): a click its
   * replica acked and died before handling is applied later, by another replica's sweep, after the person's next
   * clicks; the key, not the time, tells whose event it is.
   */
  requestKey?: string;
}

/** As the bot derives it (commands/note.ts, actions/gate-buttons.ts originOf). */
function requestKeyOf(kind: ClickKind, user: string, trigger: string, body: string): string | undefined {
  if (kind === 'note') return `note:${trigger}`;
  const payload = new URLSearchParams(body).get('payload');
  if (!payload) return undefined;
  const parsed = JSON.parse(payload) as { type?: string; actions?: { action_ts?: string }[] };
  const ts = parsed.type === 'block_actions' ? parsed.actions?.[0]?.action_ts : undefined;
  return ts ? `click:${user}:${ts}` : undefined;
}

export interface DriverContext {
  slack: SoakSlack;
  sender: Sender;
  watch: EventWatch;
  clicks: Click[];
  random: () => number;
}

type Choice = { kind: ClickKind; match?: ElementMatch; selected?: string[] };

export function dashboardOf(slack: SoakSlack, channelId: string): SandboxMessage | undefined {
  return slack.sandbox.workspace
    .history(channelId)
    .filter((m) => m.blocks.some((b) => b.type === 'header'))
    .at(-1);
}

function choose(user: SandboxUser, msg: SandboxMessage | undefined, random: () => number): Choice {
  const options: [number, Choice][] = [
    [0.8, { kind: 'note' }],
    [0.05, { kind: 'recover' }],
  ];
  const el = (actionId: string) => (msg ? findElement(msg.blocks, { actionId }) : undefined);
  const add = (weight: number, kind: ClickKind, match: ElementMatch | undefined, selected?: string[]) => {
    if (match) options.push([weight, { kind, match, ...(selected ? { selected } : {}) }]);
  };
  const boss = user.approver;
  add(2, 'checks', el(ACTION.gateRunChecks));
  add(1, 'claim', el(ACTION.gateClaim));
  add(boss ? 1.5 : 0.5, 'confirm', el(ACTION.gateConfirm));
  add(boss ? 2 : 0.3, 'override', el(ACTION.gateOverride));
  add(boss ? 6 : 0.5, 'approve', el(ACTION.overrideApprove));
  add(0.3, 'reject', el(ACTION.overrideReject));
  const box = el(ACTION.freezeChecklist);
  if (box) {
    const all = (box.element.options as { value: string }[]).map((o) => o.value);
    const ticked = ((box.element.initial_options ?? []) as { value: string }[]).map((o) => o.value);
    const unticked = all.filter((v) => !ticked.includes(v));
    if (unticked.length > 0) add(5, 'tick', box, [...ticked, unticked[Math.floor(random() * unticked.length)]]);
    if (ticked.length > 0)
      add(
        0.3,
        'tick',
        box,
        ticked.filter((v) => v !== ticked[Math.floor(random() * ticked.length)]),
      );
    if (unticked.length === 0) add(boss ? 6 : 1, 'confirm', el(ACTION.gateConfirm));
  }
  let r = random() * options.reduce((sum, [w]) => sum + w, 0);
  for (const [w, choice] of options) if ((r -= w) <= 0) return choice;
  return options[0][1];
}

let seq = 0;
let notes = 0;

/** Sends one request and waits (bounded) for what it caused; returns the record of it. */
async function act(
  ctx: DriverContext,
  user: SandboxUser,
  channel: SandboxChannel,
  kind: ClickKind,
  body: (r: Requester) => string,
  extra: Partial<Click> = {},
): Promise<Click> {
  const key = `${user.id}-${++seq}`;
  const r: Requester = { user, channel, trigger: ctx.slack.sandbox.issueTrigger(user.id), responseUrl: ctx.slack.responseUrl(key) };
  const modalBefore = ctx.slack.sandbox.workspace.modalFor(user.id)?.id;
  const raw = body(r);
  const requestKey = requestKeyOf(kind, user.id, r.trigger, raw);
  const sentAt = Date.now();
  const result = await ctx.sender.send(raw);
  const click: Click = {
    key,
    user: user.id,
    channel: channel.id,
    kind,
    runId: undefined,
    sentAt,
    result,
    outcomeSeen: false,
    ...(requestKey ? { requestKey } : {}),
    ...extra,
  };
  ctx.clicks.push(click);
  // Not acked in time (the person saw an error): it may still be saved late (a starved replica). They look at the
  // channel a while before their next click, so a late outcome is not taken for the next click's.
  const modalOpened = () => kind === 'override' && ctx.slack.sandbox.workspace.modalFor(user.id)?.id !== modalBefore;
  // A view submission is acked after its transaction: the ack is the outcome.
  click.outcomeSeen =
    (kind === 'submit' && result.status === 200) ||
    (result.status === 200 && result.body.trim() !== '') || // answered in the ack (a note refused by its limit)
    (await until(
      () => ctx.slack.responses.has(key) || ctx.watch.hasEventSince(user.id, sentAt) || modalOpened(),
      result.status !== 200 ? 8000 : kind === 'tick' ? 1500 : 4000,
    ));
  // A checklist click may tick several items, one transaction each: let them all land before the next click.
  if (kind === 'tick' || kind === 'confirm') await new Promise((resolve) => setTimeout(resolve, 100));
  return click;
}

export async function clickOnce(ctx: DriverContext, user: SandboxUser, channel: SandboxChannel): Promise<void> {
  const msg = dashboardOf(ctx.slack, channel.id);
  const choice = choose(user, msg, ctx.random);
  if (choice.kind === 'note' || choice.kind === 'recover') {
    const n = ++notes;
    // Every fifth note pastes the bot token, as people do: it must never reach Slack or a log line.
    const text =
      choice.kind === 'note'
        ? `soak note ${n} by ${user.name}${n % 5 === 0 ? ` (pasted by mistake: ${SOAK_TOKEN})` : ''}`
        : `Soak ${channel.name}`;
    await act(ctx, user, channel, choice.kind, (r) => commandBody(r, `${choice.kind} ${text}`), { text: scrub(text) });
    return;
  }
  const match = choice.match!;
  const click = await act(ctx, user, channel, choice.kind, (r) => clickBody(r, msg!, match, choice.selected), { runId: runIdOf(match) });
  const modal = ctx.slack.sandbox.workspace.modalFor(user.id);
  if (choice.kind !== 'override' || !click.outcomeSeen || !modal) return;
  const reason = `soak override by ${user.name}: the checks have nothing real to reach`;
  await act(ctx, user, channel, 'submit', () => submitBody(user, ctx.slack.sandbox.issueTrigger(user.id), modal, reason), {
    runId: click.runId,
    text: reason,
  });
  ctx.slack.sandbox.workspace.closeModal(user.id); // Slack closes the modal on an empty ack; on errors the person gives up
}

/** `/caracal recover` in `channel`: the run every later click in that channel works on. */
export async function startRun(ctx: DriverContext, user: SandboxUser, channel: SandboxChannel): Promise<Click> {
  const text = `Soak ${channel.name}`;
  return act(ctx, user, channel, 'recover', (r) => commandBody(r, `recover ${text}`), { text });
}

export async function runUser(ctx: DriverContext, user: SandboxUser, endAt: number): Promise<void> {
  while (Date.now() < endAt) {
    await clickOnce(ctx, user, SOAK_CHANNELS[Math.floor(ctx.random() * SOAK_CHANNELS.length)]);
    await new Promise((resolve) => setTimeout(resolve, 20 + ctx.random() * 130));
  }
}
