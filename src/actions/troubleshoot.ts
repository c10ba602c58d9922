// "Run these checks" on a troubleshooting symptom: a status report of just those checks, in the channel, against
// the environment the button names (buttons from before environments: the channel's default).
import type { App, ButtonAction } from '@slack/bolt';
import { ACTION } from '../blocks/ids.ts';
import { decodePayload, symptomButtonPayload } from '../blocks/payloads.ts';
import type { Metrics } from '../metrics.ts';
import { runStatusReport, type StatusRunDeps } from '../reports/status-run.ts';
import { onAction, type ActionArgs } from '../slack/listeners.ts';
import { findSymptom } from '../troubleshoot/symptoms.ts';
import { UserFacingError } from '../errors.ts';

export type TroubleshootDeps = StatusRunDeps & { metrics: Metrics; environmentFor?: (channelId: string) => string };

export const handleTroubleshootRun =
  (deps: TroubleshootDeps) =>
  async ({ body, action, client }: ActionArgs<ButtonAction>): Promise<void> => {
    const payload = decodePayload(symptomButtonPayload, action.value);
    const symptom = findSymptom(payload.symptom);
    const channelId = body.channel?.id ?? (body.container as { channel_id?: string }).channel_id;
    if (!symptom || !channelId) throw new UserFacingError('bad_request', 'This troubleshooting button is no longer valid.');
    const checks = deps.checks.filter((c) => symptom.checks.includes(c.id));
    const environment = payload.v === 2 ? payload.env : deps.environmentFor?.(channelId);
    await runStatusReport({ ...deps, checks }, { client, channelId, requestedBy: body.user.id, ...(environment ? { environment } : {}) });
  };

export function registerTroubleshoot(app: App, deps: TroubleshootDeps): void {
  onAction(app, ACTION.troubleshootRun, deps, handleTroubleshootRun(deps));
}
