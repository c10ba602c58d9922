// The run dashboard's buttons. Every rule is enforced by the service (the machine), never by hiding buttons;
// a refusal is answered ephemerally (and logged as an event by the service when it is a denial). Clicks that only
// write to the database are saved before they are acked (no click lost to a crash right after the ack); those that
// need an approver look-up do so only while it can be answered without asking Slack.
import type { App, ButtonAction, CheckboxesAction } from '@slack/bolt';
import type { Gate } from '../domain/gates.ts';
import { ACTION, type ActionId } from '../blocks/ids.ts';
import { overrideModal } from '../blocks/override-modal.ts';
import { decodePayload, drillButtonPayload, gateButtonPayload, overrideButtonPayload } from '../blocks/payloads.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Command } from '../recovery/machine.ts';
import type { FreezeItem } from '../domain/gates.ts';
import type { GateCheck } from '../domain/run.ts';
import { FREEZE_CHECKLIST } from '../domain/gates.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type ActResult, type ClickOrigin, type RecoveryService } from '../recovery/service.ts';
import { onAction, tell } from '../slack/listeners.ts';
import type { RequestLimits } from '../slack/request-limits.ts';
import { slackCall } from '../slack/slack-call.ts';

export interface GateActionDeps {
  service: RecoveryService;
  /** Against the run's environment (its own Caracal targets), judged against its residue baseline. */
  runGateChecks(gate: Gate, run?: { id: string; environment?: string | undefined }): Promise<GateCheck[]>;
  isApprover(userId: string): Promise<boolean>;
  /** True when approver questions need no Slack call now (configured users, fresh group caches). */
  approversOffline(): boolean;
  sandbox: boolean;
  /** Per-person and per-channel limits on Run checks (issue 18). */
  limits?: RequestLimits;
  logger: Logger;
  metrics: Metrics;
}

/** The run's dashboard is where every gate button lives: its channel and message are the click's origin. */
export function originOf(body: { channel?: { id: string }; message?: { ts: string }; user: { id: string }; actions?: readonly { action_ts?: string }[] }): ClickOrigin {
  const actionTs = body.actions?.[0]?.action_ts;
  return { channelId: body.channel?.id, messageTs: body.message?.ts, ...(actionTs ? { requestKey: `click:${body.user.id}:${actionTs}` } : {}) };
}

async function answer(result: ActResult, respond: (text: string) => Promise<void>): Promise<void> {
  if (!result.ok) await respond(result.reason);
}

export function registerGateActions(app: App, deps: GateActionDeps): void {
  const always = { saveFirst: () => true };
  const whenApproversKnown = { saveFirst: () => deps.approversOffline() };
  const simple: [ActionId, Command, { saveFirst: () => boolean }][] = [
    [ACTION.gateClaim, { type: 'claim' }, always],
    [ACTION.gateConfirm, { type: 'confirm' }, whenApproversKnown],
  ];
  for (const [actionId, command, options] of simple) {
    onAction<ButtonAction>(app, actionId, deps, async ({ body, action, respond }) => {
      const { runId, gate } = decodePayload(gateButtonPayload, action.value);
      await answer(await deps.service.act(runId, gate, command, body.user.id, originOf(body)), (t) => tell(respond, t));
    }, options);
  }

  // On a stale claim's reminder (a thread reply, not the dashboard): only the channel must be the run's.
  onAction<ButtonAction>(app, ACTION.gateRelease, deps, async ({ body, action, respond }) => {
    const { runId, gate } = decodePayload(gateButtonPayload, action.value);
    await answer(await deps.service.act(runId, gate, { type: 'release' }, body.user.id, { channelId: body.channel?.id }), (t) => tell(respond, t));
  });

  onAction<ButtonAction>(app, ACTION.gateRunChecks, deps, async ({ body, action, respond }) => {
    const { runId, gate } = decodePayload(gateButtonPayload, action.value);
    // Refuse before running anything: a click from elsewhere must not cost Caracal a check run.
    const run = await deps.service.load(runId);
    if (!run || !clickBelongsToRun(run, originOf(body))) return tell(respond, run ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.');
    await deps.limits?.take('checks', body.user.id, run.channelId);
    const results = await deps.runGateChecks(gate, { id: runId, environment: run.environment });
    await answer(await deps.service.act(runId, gate, { type: 'record_checks', results }, body.user.id, originOf(body)), (t) => tell(respond, t));
  });

  for (const actionId of [ACTION.overrideApprove, ACTION.overrideReject]) {
    onAction<ButtonAction>(app, actionId, deps, async ({ body, action, respond }) => {
      const { runId, gate, overrideId } = decodePayload(overrideButtonPayload, action.value);
      const type = actionId === ACTION.overrideApprove ? 'approve_override' : 'reject_override';
      await answer(await deps.service.act(runId, gate, { type, overrideId }, body.user.id, originOf(body)), (t) => tell(respond, t));
    }, whenApproversKnown);
  }

  onAction<ButtonAction>(app, ACTION.gateOverride, deps, async ({ body, action, client, respond }) => {
    const payload = decodePayload(gateButtonPayload, action.value);
    const run = await deps.service.load(payload.runId);
    if (!run || !clickBelongsToRun(run, originOf(body))) return tell(respond, run ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.');
    // Checked again on submit; asking first spares a non-approver from writing a reason for nothing.
    if (!(await deps.isApprover(body.user.id))) {
      return tell(respond, 'Only configured approvers can request an override.');
    }
    await slackCall(deps.metrics, 'views.open', () => client.views.open({ trigger_id: body.trigger_id, view: overrideModal(payload, deps.sandbox) }));
  });

  onAction<ButtonAction>(app, ACTION.drillMark, deps, async ({ body, action, respond }) => {
    const { runId, marker } = decodePayload(drillButtonPayload, action.value);
    await answer(await deps.service.markDrill(runId, body.user.id, marker, originOf(body)), (t) => tell(respond, t));
  }, always);

  onAction<CheckboxesAction>(app, ACTION.freezeChecklist, deps, async ({ body, action, respond }) => {
    // Checkboxes carry no value: the payload rides in the block id after the version ("gate_freeze|v3|{...}").
    const json = action.block_id.split('|').slice(2).join('|');
    const { runId, gate } = decodePayload(gateButtonPayload, json);
    const run = await deps.service.load(runId);
    if (!run || !clickBelongsToRun(run, originOf(body))) return tell(respond, run ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.');
    const ticked = new Set(action.selected_options.map((o) => o.value));
    const current = run.gates.find((g) => g.gate === gate)?.checklist ?? {};
    for (const item of Object.keys(FREEZE_CHECKLIST) as FreezeItem[]) {
      const want = ticked.has(item);
      if (want === Boolean(current[item])) continue;
      // One click ticks several items: each is its own request.
      const origin = originOf(body);
      const result = await deps.service.act(runId, gate, { type: 'tick', item, checked: want }, body.user.id, { ...origin, ...(origin.requestKey ? { requestKey: `${origin.requestKey}:${item}` } : {}) });
      if (!result.ok) return tell(respond, result.reason);
    }
  }, always);
}
