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
import type { ActionJournal } from '../recovery/actions.ts';
import type { ActionResult } from '../domain/events.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { placementRefusal } from '../remediation/placement.ts';
import { findAction } from '../remediation/registry.ts';
import type { ActionOutcome, RemediationAction } from '../remediation/types.ts';
import { onAction, tell, type ActionArgs } from '../slack/listeners.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type ClickOrigin } from '../recovery/service.ts';
import { originOf } from './gate-buttons.ts';
import { heldText, JobCancelled, type ExclusiveRunner, type JobProgress } from '../remediation/exclusive.ts';

/** An action may call every pod in turn or walk the audit chain; a longer budget than a check, never unbounded. */
export const ACTION_TIMEOUT_MS = 15 * 60_000;

interface RemediationDeps {
  service: RecoveryService;
  journal: ActionJournal;
  context: CheckContext;
  /** The run's environment's context: an action reaches the deployment the run recovers, never another. */
  contextFor?: (environment: string | undefined) => CheckContext;
  logger: Logger;
  metrics: Metrics;
  /** One-at-a-time across replicas for `exclusive` actions (the deep verification). */
  exclusive?: ExclusiveRunner;
  now?: () => Date;
}

async function runContext(deps: RemediationDeps, runId: string): Promise<CheckContext> {
  if (!deps.contextFor) return deps.context;
  const run = await deps.service.load(runId);
  if (!run) throw new UserFacingError('not_found', 'This recovery run no longer exists.');
  return deps.contextFor(run.environment);
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
async function mayRun(
  deps: RemediationDeps,
  payload: ActionButtonPayload,
  remedy: RemediationAction,
  userId: string,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const allowed = await deps.service.authorizeAction(payload.runId, payload.gate, userId, remedy.id, remedy.readOnly);
  if (!allowed.ok) return allowed;
  const refusal = placementRefusal(allowed.run, payload.gate, remedy.id, remedy.title);
  return refusal ? { ok: false, reason: refusal } : { ok: true };
}

/**
 * Issue 18: a click must come from the run's channel (and, on the dashboard, from its dashboard message); a refusal
 * says nothing about the run. The cards are ephemeral messages of their own, so only their channel is compared.
 */
async function fromElsewhere(deps: RemediationDeps, runId: string, origin: ClickOrigin): Promise<string | undefined> {
  const run = await deps.service.load(runId);
  if (!run) return 'This recovery run no longer exists.';
  return clickBelongsToRun(run, origin) ? undefined : NOT_THIS_CHANNELS_RUN;
}

/**
 * A click on a card (Cancel, Done): from the run's channel, by an approver, on an active run; else why not. Cards
 * are ephemeral messages of their own, so only the channel is compared.
 */
async function refusalOnCard(
  deps: RemediationDeps,
  payload: ActionButtonPayload,
  body: Parameters<typeof originOf>[0],
  actionId: string,
): Promise<string | undefined> {
  const elsewhere = await fromElsewhere(deps, payload.runId, { channelId: originOf(body).channelId });
  if (elsewhere) return elsewhere;
  const allowed = await deps.service.authorizeAction(payload.runId, payload.gate, body.user.id, actionId);
  return allowed.ok ? undefined : allowed.reason;
}

/** The request's idempotency key: the card it came from (one per dashboard click), else the click itself. */
function requestKeyOf(payload: ActionButtonPayload, actionTs: string): string {
  return `${payload.action}:${payload.gate}:${payload.card ?? `click-${actionTs}`}`;
}

const newCard = (): string => randomBytes(9).toString('base64url');

/** One "Run it" click: what running the action and keeping its card up to date need. */
interface RunRequest {
  deps: RemediationDeps;
  payload: ActionButtonPayload;
  remedy: RemediationAction;
  userId: string;
  respond: RespondFn;
  logger: Logger;
  requestKey: string;
}

async function runIt(req: RunRequest): Promise<void> {
  const { exclusive } = req.deps;
  if (!req.remedy.exclusive || !exclusive) return runOnce(req, undefined, undefined);
  const r = await exclusive.run({ name: req.remedy.id, startedBy: req.userId, runId: req.payload.runId }, (signal, progress) =>
    runOnce(req, signal, progress),
  );
  if (!r.ok) await replaceCard(req.respond, { text: heldText(req.remedy.title, r.held, (req.deps.now ?? (() => new Date()))()) });
}

function failedOnOurSide(err: unknown, remedy: RemediationAction, logger: Logger): ActionOutcome {
  const ref = randomBytes(4).toString('hex');
  logger.error({ err, ref, action: remedy.id }, 'remediation failed on the bot side');
  return { ok: false, lines: [], summary: `the bot failed during the call (ref ${ref}); it may have reached Caracal` };
}

/** Answer a cancel at once: a read stalled in a query stops at its statement timeout, its signal already aborted. */
function untilCancelled<T>(work: Promise<T>, cancel: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancel.reason instanceof Error ? cancel.reason : new Error('cancelled'));
    if (cancel.aborted) return onAbort();
    cancel.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => cancel.removeEventListener('abort', onAbort));
  });
}

async function runOnce(req: RunRequest, cancel: AbortSignal | undefined, progress: JobProgress | undefined): Promise<void> {
  const { deps, payload, remedy, userId, respond, logger, requestKey } = req;
  const started = await deps.journal.start(
    payload.runId,
    payload.gate,
    userId,
    { action: remedy.id, title: remedy.title, target: remedy.confirmText },
    requestKey,
  );
  // A repeat is answered with the first one's outcome, never a second call.
  const first = !started.ok ? started.repeat?.finished : undefined;
  if (first) return replaceCard(respond, outcomeCard(remedy.title, first.result, first.summary, first.lines)).then(() => undefined);
  if (!started.ok) return replaceCard(respond, { text: started.reason }).then(() => undefined);
  await replaceCard(respond, runningCard(remedy.title, cancel ? payload : undefined)).catch((err: unknown) =>
    logger.warn({ err }, 'could not show "Running…"'),
  );
  let outcome: ActionOutcome;
  try {
    const timeout = AbortSignal.timeout(ACTION_TIMEOUT_MS);
    const context = await runContext(deps, payload.runId);
    outcome = await (cancel
      ? untilCancelled(remedy.run(context, AbortSignal.any([timeout, cancel]), progress), cancel)
      : remedy.run(context, timeout, progress));
  } catch (err) {
    outcome =
      cancel?.aborted && cancel.reason instanceof JobCancelled
        ? { ok: false, lines: [], summary: `cancelled by <@${cancel.reason.by}> before it finished: no verdict` }
        : failedOnOurSide(err, remedy, logger);
  }
  const result = resultOf(outcome);
  try {
    await deps.journal.finish(payload.runId, payload.gate, userId, started.startedId, {
      action: remedy.id,
      title: remedy.title,
      result,
      ...outcome,
    });
  } catch (err) {
    const ref = randomBytes(4).toString('hex');
    logger.error({ err, ref, action: remedy.id, result }, 'remediation ran but its outcome could not be recorded');
    await replaceCard(respond, unknownOutcomeCard(remedy.title, ref));
    return;
  }
  await replaceCard(respond, outcomeCard(remedy.title, result, outcome.summary, outcome.lines));
}

export const handleRemediateOpen =
  (deps: RemediationDeps) =>
  async ({ body, action, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = { ...decodePayload(actionButtonPayload, action.value), card: newCard() };
    const remedy = remedyFor(payload);
    const elsewhere = await fromElsewhere(deps, payload.runId, originOf(body));
    if (elsewhere) return tell(respond, elsewhere);
    const allowed = await mayRun(deps, payload, remedy, body.user.id);
    if (!allowed.ok) return tell(respond, allowed.reason);
    // A second click while one runs (any replica) is told who started it and how far it is, before any card.
    const held = remedy.exclusive ? await deps.exclusive?.held(remedy.id) : undefined;
    if (held) return tell(respond, heldText(remedy.title, held, (deps.now ?? (() => new Date()))()));
    if (remedy.breakGlass) {
      const guidance = await remedy.run(await runContext(deps, payload.runId), AbortSignal.timeout(ACTION_TIMEOUT_MS));
      // Evidence goes into the incident log before anyone is shown how to remove it.
      if (guidance.logExport)
        await deps.service.recordExport(payload.runId, payload.gate, body.user.id, { action: remedy.id, ...guidance.logExport });
      await respond({ response_type: 'ephemeral', replace_original: false, ...breakGlassMessage(remedy, guidance, payload) });
      return;
    }
    await respond({ response_type: 'ephemeral', replace_original: false, ...confirmCard(remedy, payload) });
  };

export const handleRemediateRun =
  (deps: RemediationDeps) =>
  async ({ body, action, respond, logger }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = remedyFor(payload);
    const elsewhere = await fromElsewhere(deps, payload.runId, { channelId: originOf(body).channelId });
    if (elsewhere) return replaceCard(respond, { text: elsewhere }).then(() => undefined);
    const allowed = await mayRun(deps, payload, remedy, body.user.id);
    if (!allowed.ok) return replaceCard(respond, { text: allowed.reason }).then(() => undefined);
    await runIt({ deps, payload, remedy, userId: body.user.id, respond, logger, requestKey: requestKeyOf(payload, action.action_ts) });
  };

export const handleExclusiveCancel =
  (deps: RemediationDeps) =>
  async ({ body, action, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = remedyFor(payload);
    const refusal = await refusalOnCard(deps, payload, body, `${remedy.id}.cancel`);
    if (refusal) return tell(respond, refusal);
    const asked = await deps.exclusive?.cancel(remedy.id, body.user.id);
    await tell(
      respond,
      asked
        ? `Asked *${remedy.title}* to stop; its card and the thread will say "cancelled" within a few seconds.`
        : `*${remedy.title}* is not running.`,
    );
  };

export const handleRemediateDismiss =
  () =>
  async ({ respond }: ActionArgs<ButtonAction>): Promise<void> => {
    await respond({ delete_original: true });
  };

export const handleBreakGlassDone =
  (deps: RemediationDeps) =>
  async ({ body, action, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = findAction(payload.action);
    if (!remedy?.breakGlass) throw new UserFacingError('bad_request', 'This is not a break-glass step.');
    const refusal = await refusalOnCard(deps, payload, body, remedy.id);
    if (refusal) return tell(respond, refusal);
    const recorded = await deps.journal.recordOnce(
      payload.runId,
      payload.gate,
      body.user.id,
      {
        action: remedy.id,
        title: remedy.title,
        ok: true,
        breakGlass: true,
        summary: 'done by hand (break-glass)',
        lines: [],
      },
      requestKeyOf(payload, action.action_ts),
    );
    await tell(respond, recorded ? 'Recorded in the incident log.' : 'Already recorded in the incident log (this card was used before).');
  };

export function registerRemediation(app: App, deps: RemediationDeps): void {
  onAction(app, ACTION.gateRemediate, deps, handleRemediateOpen(deps));

  onAction(app, ACTION.remediateRun, deps, handleRemediateRun(deps));

  // Cancel a one-at-a-time action that is running (on any replica): approvers only, like running it.
  onAction(app, ACTION.exclusiveCancel, deps, handleExclusiveCancel(deps));

  onAction(app, ACTION.remediateCancel, deps, handleRemediateDismiss());

  // The person who ran the manual step says so; the log records who and when (approvers only, like actions).
  onAction(app, ACTION.breakGlassDone, deps, handleBreakGlassDone(deps));
}
