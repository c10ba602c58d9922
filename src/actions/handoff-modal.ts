// The dashboard's "Hand off…" button and its modal. The click is acked first, then the modal opens (Slack's trigger
// lives 3 s); the submission is acked first too (no network call before it), then takes the same path as
// `/caracal handoff` (commands/handoff.ts), and a refusal reaches the person ephemerally in the run's channel.
import type { App, ButtonAction, ViewSubmitAction } from '@slack/bolt';
import { handoffModal } from '../blocks/handoff-modal.ts';
import { ACTION, BLOCK, ELEMENT, VIEW } from '../blocks/ids.ts';
import { decodePayload, gateButtonPayload } from '../blocks/payloads.ts';
import { handOff, handoffNoteProblem } from '../commands/handoff.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type RecoveryService } from '../recovery/service.ts';
import { onAction, tell, type ActionArgs, type ViewArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';
import { originOf } from './gate-buttons.ts';

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
    const run = await deps.service.load(payload.runId);
    if (!run || !clickBelongsToRun(run, originOf(body)))
      return tell(respond, run ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.');
    await slackCall(deps.metrics, 'views.open', () =>
      client.views.open({ trigger_id: body.trigger_id, view: handoffModal(payload, deps.sandbox) }),
    );
  };

export const handleHandoffSubmit =
  (deps: HandoffModalDeps) =>
  async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const values = view.state.values;
    const to = values[BLOCK.handoffTo]?.[ELEMENT.handoffToSelect]?.selected_user ?? '';
    const note = values[BLOCK.handoffNote]?.[ELEMENT.handoffNoteInput]?.value?.trim() ?? '';
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
    let payload;
    try {
      payload = decodePayload(gateButtonPayload, view.private_metadata);
    } catch (err) {
      await ack({
        response_action: 'errors',
        errors: { [BLOCK.handoffNote]: err instanceof UserFacingError ? err.message : 'This form is not valid any more.' },
      });
      return;
    }
    await ack();
    deps.metrics.actions.inc({ action: VIEW.handoffModal });
    const userId = body.user.id;
    const log = deps.logger.child({ view: VIEW.handoffModal, userId, runId: payload.runId });
    let answer: string;
    try {
      await handOff(deps.service, { runId: payload.runId, gate: payload.gate, to, note, userId });
      answer = `Handed off to <@${to}>. The note is in the incident log.`;
    } catch (err) {
      if (!(err instanceof UserFacingError)) log.error({ err }, 'handoff failed');
      answer =
        err instanceof UserFacingError
          ? `Not handed off: ${err.message}`
          : 'Not handed off: something went wrong on my side; check the dashboard before trying again.';
    }
    const run = await deps.service.load(payload.runId).catch(() => undefined);
    if (!run) return;
    await slackCall(deps.metrics, 'chat.postEphemeral', () =>
      client.chat.postEphemeral({ channel: run.channelId, user: userId, text: answer }),
    ).catch((err: unknown) => log.warn({ err }, 'could not tell the person who handed off'));
  };

export function registerHandoffModal(app: App, deps: HandoffModalDeps): void {
  onAction(app, ACTION.gateHandoff, deps, handleHandoffOpen(deps));
  app.view<ViewSubmitAction>(VIEW.handoffModal, handleHandoffSubmit(deps));
}
