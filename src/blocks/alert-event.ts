// An alert's firing or resolving in a run's incident log (thread and timeline), with Alertmanager's own times.
import type { StoredEvent } from '../store/events.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';

const utc = (iso: unknown): string => (typeof iso === 'string' ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '?');

export function describeAlertEvent(e: StoredEvent): string {
  const d = e.data;
  const name = escapeMrkdwn(typeof d.alert === 'string' ? d.alert : '?');
  const severity = typeof d.severity === 'string' ? ` (${escapeMrkdwn(d.severity)})` : '';
  const summary = typeof d.summary === 'string' ? `: ${escapeMrkdwn(truncate(d.summary, 300))}` : '';
  return e.type === 'alert_firing'
    ? `:rotating_light: Alert *${name}*${severity} firing since ${utc(d.startsAt)}${summary}`
    : `:white_check_mark: Alert *${name}*${severity} resolved at ${utc(d.endsAt)} (firing since ${utc(d.startsAt)})`;
}
