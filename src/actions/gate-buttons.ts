// The run dashboard's buttons. Every rule is enforced by the service (the machine), never by hiding buttons;
// a refusal is answered ephemerally (and logged as an event by the service when it is a denial). Clicks that only
// write to the database are saved before they are acked (no click lost to a crash right after the ack); those that
// need an approver look-up do so only while it can be answered without asking Slack.
import type { App, ButtonAction, CheckboxesAction, RespondFn } from '@slack/bolt';
import { CHECKLIST_ITEMS, type Gate } from '../domain/gates.ts';
import { ACTION } from '../blocks/ids.ts';
import { overrideModal } from '../blocks/override-modal.ts';
import { decodePayload, drillButtonPayload, gateButtonPayload, overrideButtonPayload } from '../blocks/payloads.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Command } from '../recovery/machine.ts';
import type { GateCheck, RunState } from '../domain/run.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type ActResult, type ClickOrigin, type RecoveryService } from '../recovery/service.ts';
import { onAction, tell, type ActionArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';
import type { RequestLimits } from '../slack/request-limits.ts';
import type { RequestInbox } from '../slack/inbox.ts';

export interface GateActionDeps {
  /** What the buttons ask of the recovery service (the whole service in production, a fake in handler tests). */
  service: Pick<RecoveryService, 'act' | 'load' | 'markDrill'>;
  /** Against the run's environment (its own Caracal targets), judged against its residue baseline. */
  runGateChecks(gate: Gate, run?: { id: string; environment?: string | undefined }): Promise<GateCheck[]>;
  isApprover(userId: string): Promise<boolean>;
  /** True when approver questions need no Slack call now (configured users, fresh group caches). */
  approversOffline(): boolean;
  sandbox: boolean;
  /** Per-person and per-channel limits on Run checks (issue 18). */
  limits?: RequestLimits;
  /** Where the clicks saved before their ack go (slack/inbox.ts). */
  inbox: RequestInbox;
  logger: Logger;
  metrics: Metrics;
}

/** The run's dashboard is where every gate button lives: its channel and message are the click's origin. */
export function originOf(body: {
  channel?: { id: string };
  message?: { ts: string };
  user: { id: string };
  actions?: readonly { action_ts?: string }[];
}): ClickOrigin {
  const actionTs = body.actions?.[0]?.action_ts;
  return {
    channelId: body.channel?.id,
    messageTs: body.message?.ts,
    ...(actionTs ? { requestKey: `click:${body.user.id}:${actionTs}` } : {}),
  };
}

/** A refusal is answered ephemerally; success shows on the dashboard. */
async function answer(respond: RespondFn, result: ActResult): Promise<void> {
  if (!result.ok) await tell(respond, result.reason);
}

/** The run a click belongs to, or the answer for a click from elsewhere (which reveals nothing about the run). */
export async function runOfClick(
  deps: { service: Pick<RecoveryService, 'load'> },
  runId: string,
  body: ClickBody,
): Promise<RunState | string> {
  const run = await deps.service.load(runId);
  if (!run) return 'This recovery run no longer exists.';
  return clickBelongsToRun(run, originOf(body)) ? run : NOT_THIS_CHANNELS_RUN;
}

type ClickBody = Parameters<typeof originOf>[0];
type Handler<A extends ButtonAction | CheckboxesAction = ButtonAction> = (args: ActionArgs<A>) => Promise<void>;

/** Claim and Confirm: one command of the gate machine. */
export const handleGateCommand =
  (deps: Pick<GateActionDeps, 'service'>, command: Command): Handler =>
  async ({ body, action, respond }) => {
    const { runId, gate } = decodePayload(gateButtonPayload, action.value);
    await answer(respond, await deps.service.act(runId, gate, command, body.user.id, originOf(body)));
  };

/** On a stale claim's reminder (a thread reply, not the dashboard): only the channel must be the run's. */
export const handleGateRelease =
  (deps: Pick<GateActionDeps, 'service'>): Handler =>
  async ({ body, action, respond }) => {
    const { runId, gate } = decodePayload(gateButtonPayload, action.value);
    await answer(respond, await deps.service.act(runId, gate, { type: 'release' }, body.user.id, { channelId: body.channel?.id }));
  };

export const handleRunChecks =
  (deps: Pick<GateActionDeps, 'service' | 'runGateChecks' | 'limits'>): Handler =>
  async ({ body, action, respond }) => {
    const { runId, gate } = decodePayload(gateButtonPayload, action.value);
    // Refuse before running anything: a click from elsewhere must not cost Caracal a check run.
    const run = await runOfClick(deps, runId, body);
    if (typeof run === 'string') return tell(respond, run);
    await deps.limits?.take('checks', body.user.id, run.channelId);
    const results = await deps.runGateChecks(gate, { id: runId, environment: run.environment });
    await answer(respond, await deps.service.act(runId, gate, { type: 'record_checks', results }, body.user.id, originOf(body)));
  };

export const handleOverrideDecision =
  (deps: Pick<GateActionDeps, 'service'>, type: 'approve_override' | 'reject_override'): Handler =>
  async ({ body, action, respond }) => {
    const { runId, gate, overrideId } = decodePayload(overrideButtonPayload, action.value);
    await answer(respond, await deps.service.act(runId, gate, { type, overrideId }, body.user.id, originOf(body)));
  };

/** "Request override…": the modal opens only for an approver (checked again on submit). */
export const handleOverrideOpen =
  (deps: Pick<GateActionDeps, 'service' | 'isApprover' | 'sandbox' | 'metrics'>): Handler =>
  async ({ body, action, client, respond }) => {
    const payload = decodePayload(gateButtonPayload, action.value);
    const run = await runOfClick(deps, payload.runId, body);
    if (typeof run === 'string') return tell(respond, run);
    // Asking first spares a non-approver from writing a reason for nothing.
    if (!(await deps.isApprover(body.user.id))) return tell(respond, 'Only configured approvers can request an override.');
    await slackCall(deps.metrics, 'views.open', () =>
      client.views.open({ trigger_id: body.trigger_id, view: overrideModal(payload, deps.sandbox) }),
    );
  };

export const handleDrillMark =
  (deps: Pick<GateActionDeps, 'service'>): Handler =>
  async ({ body, action, respond }) => {
    const { runId, marker } = decodePayload(drillButtonPayload, action.value);
    await answer(respond, await deps.service.markDrill(runId, body.user.id, marker, originOf(body)));
  };

/** Freeze's (and Resume's) checklist: one click may tick several items, each its own request. */
export const handleChecklist =
  (deps: Pick<GateActionDeps, 'service'>): Handler<CheckboxesAction> =>
  async ({ body, action, respond }) => {
    // Checkboxes carry no value: the payload rides in the block id after the version ("gate_freeze|v3|{...}").
    const { runId, gate } = decodePayload(gateButtonPayload, action.block_id.split('|').slice(2).join('|'));
    const run = await runOfClick(deps, runId, body);
    if (typeof run === 'string') return tell(respond, run);
    const ticked = new Set(action.selected_options.map((o) => o.value));
    const current = run.gates.find((g) => g.gate === gate)?.checklist ?? {};
    const origin = originOf(body);
    for (const item of CHECKLIST_ITEMS) {
      const want = ticked.has(item);
      if (want === Boolean(current[item])) continue;
      const key = origin.requestKey ? { requestKey: `${origin.requestKey}:${item}` } : {};
      const result = await deps.service.act(runId, gate, { type: 'tick', item, checked: want }, body.user.id, { ...origin, ...key });
      if (!result.ok) return tell(respond, result.reason);
    }
  };

/** Wiring only: which handler answers which button, and which clicks are saved before the ack. */
export function registerGateActions(app: App, deps: GateActionDeps): void {
  const always = { saveFirst: () => true };
  const whenApproversKnown = { saveFirst: () => deps.approversOffline() };
  onAction(app, ACTION.gateClaim, deps, handleGateCommand(deps, { type: 'claim' }), always);
  onAction(app, ACTION.gateConfirm, deps, handleGateCommand(deps, { type: 'confirm' }), whenApproversKnown);
  onAction(app, ACTION.gateRelease, deps, handleGateRelease(deps));
  onAction(app, ACTION.gateRunChecks, deps, handleRunChecks(deps));
  onAction(app, ACTION.overrideApprove, deps, handleOverrideDecision(deps, 'approve_override'), whenApproversKnown);
  onAction(app, ACTION.overrideReject, deps, handleOverrideDecision(deps, 'reject_override'), whenApproversKnown);
  onAction(app, ACTION.gateOverride, deps, handleOverrideOpen(deps));
  onAction(app, ACTION.drillMark, deps, handleDrillMark(deps), always);
  onAction(app, ACTION.freezeChecklist, deps, handleChecklist(deps), always);
}
