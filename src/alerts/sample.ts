// Kept outside src/sandbox so that production never loads the sandbox. Without Prometheus and Alertmanager the
// sandbox can still show what an alert looks like: a button that applies a
// sample notification (Caracal's CaracalAuditDLQNonEmpty, as Alertmanager 0.25 would send it) through the same code
// as POST /alertmanager.
import type { App, ButtonAction } from '@slack/bolt';
import type { KnownBlock } from '@slack/types';
import { caracalAlert, runbookUrl } from '../domain/alert-catalog.ts';
import { applyPayload, type AlertReceiverDeps } from './receiver.ts';
import { webhookPayload, type WebhookPayload } from './webhook.ts';
import { ACTION } from '../blocks/ids.ts';
import type { Logger } from '../logger.ts';
import type { Metrics } from '../metrics.ts';
import { onAction } from '../slack/listeners.ts';

/** How to get the alerting binaries (the sandbox says it when they are missing). */
export const INSTALL_HINT = 'apt-get install prometheus prometheus-alertmanager (Debian/Ubuntu)';

const SAMPLE_ALERT = 'CaracalAuditDLQNonEmpty';

export function samplePayload(now: Date): WebhookPayload {
  const row = caracalAlert(SAMPLE_ALERT)!;
  return webhookPayload.parse({
    version: '4',
    groupKey: `{}:{alertname="${SAMPLE_ALERT}"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'caracal-chatops',
    groupLabels: { alertname: SAMPLE_ALERT },
    commonLabels: { alertname: SAMPLE_ALERT, severity: row.severity, component: row.component },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.sandbox.invalid',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: SAMPLE_ALERT, severity: row.severity, component: row.component, service: 'audit', instance: 'audit-0' },
        annotations: {
          summary: row.summary,
          runbook_url: runbookUrl(SAMPLE_ALERT),
          sandbox: 'sample notification (Prometheus and Alertmanager are not installed)',
        },
        startsAt: now.toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: '',
        fingerprint: 'a11ce0de5a3b1e00',
      },
    ],
  });
}

/** The sandbox's message when the alerting binaries are missing. */
export function noAlertingMessage(): { text: string; blocks: KnownBlock[] } {
  const text = `[SANDBOX] Prometheus and Alertmanager are not installed, so injected faults raise no alerts here. Install them with \`${INSTALL_HINT}\` and restart \`npm start\`, or post a sample notification.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      {
        type: 'actions',
        block_id: 'alert_sample',
        elements: [
          { type: 'button', action_id: ACTION.alertSample, text: { type: 'plain_text', text: 'Post a sample notification' }, value: 'v1' },
        ],
      },
    ],
  };
}

export interface AlertSampleDeps {
  receiver: AlertReceiverDeps;
  channel: string;
  logger: Logger;
  metrics: Metrics;
}

/** The sandbox's "Post a sample notification": applied as if Alertmanager had sent it. */
export const handleAlertSample = (deps: AlertSampleDeps) => async (): Promise<void> => {
  await applyPayload(deps.receiver, samplePayload(deps.receiver.now()), deps.channel);
};

export function registerAlertSample(app: App, deps: AlertSampleDeps): void {
  onAction<ButtonAction>(app, ACTION.alertSample, deps, handleAlertSample(deps));
}
