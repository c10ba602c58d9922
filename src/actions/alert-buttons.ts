// The alert group message's buttons: "Run these checks" (a status report limited to the checks that confirm the
// alerts) and "Start recovery run" (titled after the alerts, its first log entry linking to the group message).
import type { App, ButtonAction } from '@slack/bolt';
import { CARACAL_ALERTS, type CaracalAlertName } from '../domain/alert-catalog.ts';
import { ACTION } from '../blocks/ids.ts';
import { alertButtonPayload, decodePayload, resumeAckPayload } from '../blocks/payloads.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { runStatusReport, type StatusRunDeps } from '../reports/status-run.ts';
import { onAction, tell, type ActionArgs } from '../slack/listeners.ts';
import { originOf } from './gate-buttons.ts';

export interface AlertButtonDeps {
  service: RecoveryService;
  /** The channel's default environment: for buttons posted before they named theirs. */
  environmentFor?: (channelId: string) => string;
  statusDeps: StatusRunDeps;
  logger: Logger;
  metrics: Metrics;
}

/** The button's Caracal alerts and the environment they belong to (v1 buttons: the channel's default). */
function alertTarget(
  value: string | undefined,
  channelId: string | undefined,
  deps: AlertButtonDeps,
): { names: CaracalAlertName[]; environment: string | undefined } {
  const payload = decodePayload(alertButtonPayload, value);
  const names = payload.alerts.filter((a): a is CaracalAlertName => Object.hasOwn(CARACAL_ALERTS, a));
  const environment = payload.v === 2 ? payload.env : channelId ? deps.environmentFor?.(channelId) : undefined;
  return { names, environment };
}

/** The check ids that confirm these alerts, in the registry's order. */
export function checksForAlerts(names: readonly CaracalAlertName[]): Set<string> {
  return new Set(names.flatMap((n) => CARACAL_ALERTS[n].checks));
}

export function recoveryTitle(names: readonly string[]): string {
  const head = names.slice(0, 2).join(', ');
  return `Alert: ${head}${names.length > 2 ? ` and ${names.length - 2} more` : ''}`;
}

/** A link to a message: Slack's archive URL form, which opens the message in the client. */
export function messageLink(teamDomain: string | undefined, channelId: string, ts: string): string {
  return `https://${teamDomain ?? 'app'}.slack.com/archives/${channelId}/p${ts.replace('.', '')}`;
}

export const handleAlertRunChecks =
  (deps: AlertButtonDeps) =>
  async ({ body, action, client, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const channelId = body.channel?.id;
    const { names, environment } = alertTarget(action.value, channelId, deps);
    const ids = checksForAlerts(names);
    const checks = deps.statusDeps.checks.filter((c) => ids.has(c.id));
    if (!channelId || checks.length === 0) return tell(respond, 'None of these alerts has checks configured here.');
    await runStatusReport(
      { ...deps.statusDeps, checks },
      { client, channelId, requestedBy: body.user.id, ...(environment ? { environment } : {}) },
    );
  };

export const handleAlertStartRecovery =
  (deps: AlertButtonDeps) =>
  async ({ body, action, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const channelId = body.channel?.id;
    const { names, environment } = alertTarget(action.value, channelId, deps);
    const ts = body.container.message_ts as string | undefined;
    if (!channelId || names.length === 0) return tell(respond, 'This button is no longer valid.');
    const result = await deps.service.startRun({
      channelId,
      title: recoveryTitle(names),
      userId: body.user.id,
      ...(environment ? { environment } : {}),
      ...(ts ? { origin: { alerts: names, alertMessage: messageLink(body.team?.domain, channelId, ts) } } : {}),
    });
    if (!result.ok) await tell(respond, result.reason);
  };

export const handleResumeAcknowledge =
  (deps: AlertButtonDeps) =>
  async ({ body, action, respond }: ActionArgs<ButtonAction>): Promise<void> => {
    const { runId, alerts } = decodePayload(resumeAckPayload, action.value);
    const result = await deps.service.act(runId, 'resume', { type: 'confirm', acknowledgedAlerts: alerts }, body.user.id, originOf(body));
    if (!result.ok) await tell(respond, result.reason);
  };

export function registerAlertButtons(app: App, deps: AlertButtonDeps): void {
  onAction(app, ACTION.alertRunChecks, deps, handleAlertRunChecks(deps));

  onAction(app, ACTION.alertStartRecovery, deps, handleAlertStartRecovery(deps));

  onAction(app, ACTION.resumeAcknowledge, deps, handleResumeAcknowledge(deps));
}
