// A remediation button on a gate. The dashboard click answers the clicker with their own ephemeral card (what
// will be called, "Run it"); "Run it" re-checks the approver rule on the server, records `action_started` before
// Caracal is called (refusing a second click while one runs), shows "Running…" in that card, calls, records
// `action_finished` with the scrubbed answer, and replaces the card with the outcome.
import { randomBytes } from 'node:crypto';
import type { App, ButtonAction, RespondArguments, RespondFn } from '@slack/bolt';
import { confirmCard, outcomeCard, runningCard, unknownOutcomeCard } from '../blocks/action-card.ts';
import { breakGlassMessage } from '../blocks/break-glass.ts';
import { ACTION } from '../blocks/ids.ts';
import { actionButtonPayload, decodePayload, type ActionButtonPayload } from '../blocks/payloads.ts';
import type { CheckContext } from '../checks/types.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { ActionJournal, ActionResult } from '../recovery/actions.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { placementRefusal } from '../remediation/placement.ts';
import { findAction } from '../remediation/registry.ts';
import type { ActionOutcome, RemediationAction } from '../remediation/types.ts';
import { onAction, tell } from '../slack/listeners.ts';

/** An action may call every pod in turn or walk the audit chain; a longer budget than a check, never unbounded. */
export const ACTION_TIMEOUT_MS = 15 * 60_000;

interface RemediationDeps {
  service: RecoveryService;
  journal: ActionJournal;
  context: CheckContext;
  logger: Logger;
  metrics: Metrics;
}

/** Failed with at least one call answered 2xx: some pods or rows were changed, not all. */
export function resultOf(outcome: ActionOutcome): ActionResult {
  if (outcome.ok) return 'success';
  return outcome.lines.some((l) => /: 2\d\d\b/.test(l)) ? 'partial' : 'failure';
}

/** Replace the clicker's card (the ephemeral message the click came from). */
const replaceCard = (respond: RespondFn, msg: RespondArguments) => respond({ response_type: 'ephemeral', replace_original: true, ...msg });

function remedyFor(payload: ActionButtonPayload): RemediationAction {
  const remedy = findAction(payload.action);
  if (!remedy) throw new UserFacingError('bad_request', 'This action is not offered on that gate.');
  return remedy;
}

/**
 * The approver rule (service), then the placement rule: the action runs only on an open gate whose latest check
 * results show a finding it fixes (remediation/placement.ts). A refusal calls nothing.
 */
async function mayRun(deps: RemediationDeps, payload: ActionButtonPayload, remedy: RemediationAction, userId: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const allowed = await deps.service.authorizeAction(payload.runId, payload.gate, userId, remedy.id, remedy.readOnly);
  if (!allowed.ok) return allowed;
  const refusal = placementRefusal(allowed.run, payload.gate, remedy.id, remedy.title);
  return refusal ? { ok: false, reason: refusal } : { ok: true };
}

async function runIt(deps: RemediationDeps, payload: ActionButtonPayload, remedy: RemediationAction, userId: string, respond: RespondFn, logger: Logger): Promise<void> {
  const started = await deps.journal.start(payload.runId, payload.gate, userId, { action: remedy.id, title: remedy.title, target: remedy.confirmText });
  if (!started.ok) return replaceCard(respond, { text: started.reason }).then(() => undefined);
  await replaceCard(respond, runningCard(remedy.title)).catch((err: unknown) => logger.warn({ err }, 'could not show "Running…"'));
  let outcome: ActionOutcome;
  try {
    outcome = await remedy.run(deps.context, AbortSignal.timeout(ACTION_TIMEOUT_MS));
  } catch (err) {
    const ref = randomBytes(4).toString('hex');
    logger.error({ err, ref, action: remedy.id }, 'remediation failed on the bot side');
    outcome = { ok: false, lines: [], summary: `the bot failed during the call (ref ${ref}); it may have reached Caracal` };
  }
  const result = resultOf(outcome);
  try {
    await deps.journal.finish(payload.runId, payload.gate, userId, started.startedId, { action: remedy.id, title: remedy.title, result, ...outcome });
  } catch (err) {
    const ref = randomBytes(4).toString('hex');
    logger.error({ err, ref, action: remedy.id, result }, 'remediation ran but its outcome could not be recorded');
    await replaceCard(respond, unknownOutcomeCard(remedy.title, ref));
    return;
  }
  await replaceCard(respond, outcomeCard(remedy.title, result, outcome.summary, outcome.lines));
}

export function registerRemediation(app: App, deps: RemediationDeps): void {
  onAction<ButtonAction>(app, ACTION.gateRemediate, deps, async ({ body, action, respond }) => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = remedyFor(payload);
    const allowed = await mayRun(deps, payload, remedy, body.user.id);
    if (!allowed.ok) return tell(respond, allowed.reason);
    if (remedy.breakGlass) {
      const guidance = await remedy.run(deps.context, AbortSignal.timeout(ACTION_TIMEOUT_MS));
      await respond({ response_type: 'ephemeral', replace_original: false, ...breakGlassMessage(remedy, guidance, payload) });
      return;
    }
    await respond({ response_type: 'ephemeral', replace_original: false, ...confirmCard(remedy, payload) });
  });

  onAction<ButtonAction>(app, ACTION.remediateRun, deps, async ({ body, action, respond, logger }) => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = remedyFor(payload);
    const allowed = await mayRun(deps, payload, remedy, body.user.id);
    if (!allowed.ok) return replaceCard(respond, { text: allowed.reason }).then(() => undefined);
    await runIt(deps, payload, remedy, body.user.id, respond, logger);
  });

  onAction<ButtonAction>(app, ACTION.remediateCancel, deps, async ({ respond }) => {
    await respond({ delete_original: true });
  });

  // The person who ran the manual step says so; the log records who and when (approvers only, like actions).
  onAction<ButtonAction>(app, ACTION.breakGlassDone, deps, async ({ body, action, respond }) => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = findAction(payload.action);
    if (!remedy?.breakGlass) throw new UserFacingError('bad_request', 'This is not a break-glass step.');
    const allowed = await deps.service.authorizeAction(payload.runId, payload.gate, body.user.id, remedy.id);
    if (!allowed.ok) return tell(respond, allowed.reason);
    await deps.service.recordOutcome(payload.runId, payload.gate, body.user.id, {
      action: remedy.id, title: remedy.title, ok: true, breakGlass: true, summary: 'done by hand (break-glass)', lines: [],
    });
    await tell(respond, 'Recorded in the incident log.');
  });
}
