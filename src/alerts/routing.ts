// Which channel an alert group's message goes to: the first route matching the receiver or the group's common
// labels, else the default incident channel, else nowhere (the notification is refused and Alertmanager retries).
import type { Config } from '../config.ts';
import type { WebhookPayload } from './webhook.ts';

export function channelFor(alerts: Config['alerts'], p: Pick<WebhookPayload, 'receiver' | 'commonLabels'>): string | undefined {
  for (const r of alerts.routes) {
    if (r.receiver !== undefined && r.receiver !== p.receiver) continue;
    if (r.component !== undefined && r.component !== p.commonLabels.component) continue;
    if (r.severity !== undefined && r.severity !== p.commonLabels.severity) continue;
    return r.channel;
  }
  return alerts.channel;
}
