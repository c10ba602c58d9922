// An alert's firing or resolving in a run's incident log (thread and timeline), with Alertmanager's own times.
import type { StoredEvent } from '../domain/events.ts';
import { escapeMrkdwn, truncate } from './mrkdwn.ts';

const utc = (iso: string | null): string => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '?');

export function describeAlertEvent(e: StoredEvent<'alert_firing' | 'alert_resolved'>): string {
  const d = e.data;
  const name = escapeMrkdwn(d.alert);
  const severity = d.severity ? ` (${escapeMrkdwn(d.severity)})` : '';
  const summary = d.summary ? `: ${escapeMrkdwn(truncate(d.summary, 300))}` : '';
  return e.type === 'alert_firing'
    ? `:rotating_light: Alert *${name}*${severity} firing since ${utc(d.startsAt)}${summary}`
    : `:white_check_mark: Alert *${name}*${severity} resolved at ${utc(d.endsAt)} (firing since ${utc(d.startsAt)})`;
}
