// The dashboard's "Hand off…" button and its modal. The click is acked first, then the modal opens (Slack's trigger
// lives 3 s); the submission is acked first too (no network call before it), then takes the same path as
// `/caracal handoff` (commands/handoff.ts), and a refusal reaches the person ephemerally in the run's channel.
import type { App, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { handoffModal } from '../blocks/handoff-modal.ts';
import { ACTION, BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, gateButtonPayload } from '../blocks/payloads.ts';
import { handOff, handoffNoteProblem } from '../commands/handoff.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { onAction, tell, type ActionArgs, type ViewArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';
import { runOfClick } from './gate-buttons.ts';
import { answerAfterAck, modalText, submittedPayload } from './reason-modal.ts';

export interface HandoffModalDeps {
  service: RecoveryService;
  logger: Logger;
  metrics: Metrics;
  sandbox: boolean;
}

export const handleHandoffOpen =
  (deps: HandoffModalDeps) =>
  async ({ body, action, client, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = decodePayload(gateButtonPayload, action.value);
    const run = await runOfClick(deps, payload.runId, body);
    if (typeof run === 'string') return tell(respond, run);
    await slackCall(deps.metrics, 'views.open', () =>
      client.views.open({ trigger_id: body.trigger_id, view: handoffModal(payload, deps.sandbox) }),
    );
  };

export const handleHandoffSubmit =
  (deps: HandoffModalDeps) =>
  async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const to = view.state.values[BLOCK.handoffTo]?.[ELEMENT.handoffToSelect]?.selected_user ?? '';
    const note = modalText(view, BLOCK.handoffNote, ELEMENT.handoffNoteInput);
    const noteProblem = note === '' ? 'Write what is done and what is next: it goes into the incident log.' : handoffNoteProblem(note);
    const problem: Record<string, string> | undefined = !to
      ? { [BLOCK.handoffTo]: 'Pick who takes over.' }
      : noteProblem
        ? { [BLOCK.handoffNote]: noteProblem }
        : undefined;
    if (problem) {
      await ack({ response_action: 'errors', errors: problem });
      return;
    }
    const payload = await submittedPayload({ ack, view }, gateButtonPayload, BLOCK.handoffNote);
    if (!payload) return;
    await ack();
    deps.metrics.actions.inc({ action: VIEW.handoffModal });
    const userId = body.user.id;
    const log = deps.logger.child({ view: VIEW.handoffModal, userId, runId: payload.runId });
    // Told either way: the person handing off learns it went through without looking for the log entry.
    await answerAfterAck(
      deps,
      client,
      { runId: payload.runId, userId, log, notDone: 'Not handed off', whoIsTold: 'the person who handed off' },
      async () => {
        await handOff(deps.service, { runId: payload.runId, gate: payload.gate, to, note, userId });
        return `Handed off to <@${to}>. The note is in the incident log.`;
      },
    );
  };

export function registerHandoffModal(app: App, deps: HandoffModalDeps): void {
  onAction(app, ACTION.gateHandoff, deps, handleHandoffOpen(deps));
  app.view<ViewSubmitAction>(VIEW.handoffModal, handleHandoffSubmit(deps));
}
