// What the modals that write into the incident log (handoff, override, finding acknowledgement) do alike on
// submit. Nothing calls the network before ack() (Slack gives 3 s): a bad form is answered in the modal; a
// command whose approver rule is known without asking Slack is saved before the ack, so a refusal shows in the
// modal and a replica killed right after acking loses nothing; anything else is done after the ack, and what
// the person must know reaches them ephemerally in the run's channel.
import type { z } from 'zod';
import { decodePayload } from '../blocks/payloads.ts';
import type { Gate } from '../domain/gates.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { Command } from '../recovery/machine.ts';
import type { RecoveryService } from '../recovery/service.ts';
import type { ViewArgs } from '../slack/listeners.ts';
import { slackCall } from '../slack/slack-call.ts';

export interface ModalSubmitDeps {
  service: Pick<RecoveryService, 'load'>;
  logger: Logger;
  metrics: Metrics;
}

/** A modal's text input, trimmed ('' when empty). */
export function modalText(view: ViewArgs['view'], block: string, element: string): string {
  return view.state.values[block]?.[element]?.value?.trim() ?? '';
}

/**
 * The payload the modal was opened with (its private_metadata), or undefined when it is no longer valid: the
 * submission is then answered in the modal, under `block`.
 */
export async function submittedPayload<T>(
  { ack, view }: Pick<ViewArgs, 'ack' | 'view'>,
  schema: z.ZodType<T>,
  block: string,
): Promise<T | undefined> {
  try {
    return decodePayload(schema, view.private_metadata);
  } catch (err) {
    await ack({
      response_action: 'errors',
      errors: { [block]: err instanceof UserFacingError ? err.message : 'This form is not valid any more.' },
    });
    return undefined;
  }
}

export interface AfterAck {
  runId: string;
  userId: string;
  log: Logger;
  /** How a refusal or failure starts: "Override not requested". */
  notDone: string;
  /** Logged when the person cannot be told: "could not tell the requester". */
  whoIsTold: string;
}

/**
 * Once the view is acked: `work` does the submission and returns what to tell the person (undefined: nothing, the
 * log shows it). A refusal (UserFacingError) or a failure is told too, prefixed with `notDone`.
 */
export async function answerAfterAck(
  deps: ModalSubmitDeps,
  client: ViewArgs['client'],
  after: AfterAck,
  work: () => Promise<string | undefined>,
): Promise<void> {
  let answer: string | undefined;
  try {
    answer = await work();
  } catch (err) {
    if (!(err instanceof UserFacingError)) after.log.error({ err }, `${after.notDone} (unexpected error)`);
    answer =
      err instanceof UserFacingError
        ? `${after.notDone}: ${err.message}`
        : `${after.notDone}: something went wrong on my side; check the dashboard before trying again.`;
  }
  if (!answer) return;
  const text = answer;
  const run = await deps.service.load(after.runId).catch(() => undefined);
  if (!run) return;
  await slackCall(deps.metrics, 'chat.postEphemeral', () =>
    client.chat.postEphemeral({ channel: run.channelId, user: after.userId, text }),
  ).catch((err: unknown) => after.log.warn({ err }, `could not tell ${after.whoIsTold}`));
}

export interface ReasonModalDeps extends ModalSubmitDeps {
  service: Pick<RecoveryService, 'act' | 'load'>;
  /** Whether the user is an approver when that is known without asking Slack; undefined: it needs a look-up. */
  knownApprover?: (userId: string) => boolean | undefined;
}

export interface ReasonModal<P extends { runId: string }> {
  /** The view's callback id (also its metrics label). */
  view: string;
  /** The reason's input: its errors show under `block`. */
  block: string;
  element: string;
  payload: z.ZodType<P>;
  /** The gate command the reason goes with. */
  command(payload: P, reason: string): { gate: Gate; command: Command };
  notDone: string;
  whoIsTold: string;
}

/** The submission of a modal that asks an approver for a written reason and applies one gate command with it. */
export const handleReasonModalSubmit =
  <P extends { runId: string }>(deps: ReasonModalDeps, modal: ReasonModal<P>) =>
  async ({ ack, body, view, client }: ViewArgs): Promise<void> => {
    const reason = modalText(view, modal.block, modal.element);
    if (reason.length < 10) {
      await ack({ response_action: 'errors', errors: { [modal.block]: 'Write at least a sentence: it goes into the incident log.' } });
      return;
    }
    const payload = await submittedPayload({ ack, view }, modal.payload, modal.block);
    if (!payload) return;
    const userId = body.user.id;
    const { gate, command } = modal.command(payload, reason);
    deps.metrics.actions.inc({ action: modal.view });
    if (deps.knownApprover?.(userId) !== undefined) {
      // Save before ack: only the state database is involved.
      const result = await deps.service.act(payload.runId, gate, command, userId);
      await ack(result.ok ? undefined : { response_action: 'errors', errors: { [modal.block]: result.reason } });
      return;
    }
    await ack();
    const log = deps.logger.child({ view: modal.view, userId, runId: payload.runId });
    await answerAfterAck(
      deps,
      client,
      { runId: payload.runId, userId, log, notDone: modal.notDone, whoIsTold: modal.whoIsTold },
      async () => {
        const result = await deps.service.act(payload.runId, gate, command, userId);
        return result.ok ? undefined : `${modal.notDone}: ${result.reason}`;
      },
    );
  };
