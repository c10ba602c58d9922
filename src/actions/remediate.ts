// A remediation button on a gate: approver check (server side, logged when refused), the Caracal call, and
// an incident-log entry that records the endpoint's answer.
import type { App, ButtonAction } from '@slack/bolt';
import { ACTION } from '../blocks/ids.ts';
import { actionButtonPayload, decodePayload } from '../blocks/payloads.ts';
import type { CheckContext } from '../checks/types.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { findAction } from '../remediation/registry.ts';
import { onAction, tell } from '../slack/listeners.ts';
import { breakGlassMessage } from '../blocks/break-glass.ts';

/** An action may call every pod in turn or walk the audit chain; a longer budget than a check, never unbounded. */
const ACTION_TIMEOUT_MS = 15 * 60_000;

export function registerRemediation(app: App, deps: { service: RecoveryService; context: CheckContext; logger: Logger; metrics: Metrics }): void {
  onAction<ButtonAction>(app, ACTION.gateRemediate, deps, async ({ body, action, respond }) => {
    const payload = decodePayload(actionButtonPayload, action.value);
    const remedy = findAction(payload.action);
    if (!remedy || remedy.gate !== payload.gate) throw new UserFacingError('bad_request', 'This action is not offered on that gate.');
    const allowed = await deps.service.authorizeAction(payload.runId, payload.gate, body.user.id, remedy.id, remedy.readOnly);
    if (!allowed.ok) return tell(respond, allowed.reason);
    if (remedy.breakGlass) {
      const guidance = await remedy.run(deps.context, AbortSignal.timeout(ACTION_TIMEOUT_MS));
      await respond({ response_type: 'ephemeral', replace_original: false, ...breakGlassMessage(remedy, guidance, payload) });
      return;
    }
    await tell(respond, `Running: ${remedy.title}…`);
    const outcome = await remedy.run(deps.context, AbortSignal.timeout(ACTION_TIMEOUT_MS));
    await deps.service.recordOutcome(payload.runId, payload.gate, body.user.id, { action: remedy.id, title: remedy.title, ...outcome });
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
