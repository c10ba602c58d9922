// Alertmanager webhook bodies (version 4) for tests, shaped as Alertmanager 0.25 sends them.
import { createHash } from 'node:crypto';
import { caracalAlert } from '../../src/domain/alert-catalog.ts';

export const ALERT_TOKEN = 'test-alertmanager-token-5c1f';
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface AlertSpec {
  name: string;
  status?: 'firing' | 'resolved';
  startsAt?: string;
  endsAt?: string;
  labels?: Record<string, string>;
}

export function fingerprintOf(labels: Record<string, string>): string {
  return createHash('sha256')
    .update(JSON.stringify(Object.entries(labels).sort()))
    .digest('hex')
    .slice(0, 16);
}

export function notification(alerts: AlertSpec[], opts: { groupKey?: string; receiver?: string } = {}): Record<string, unknown> {
  const built = alerts.map((a) => {
    const row = caracalAlert(a.name);
    const labels = { alertname: a.name, ...(row ? { severity: row.severity, component: row.component } : {}), ...a.labels };
    const status = a.status ?? 'firing';
    return {
      status,
      labels,
      annotations: {
        summary: row?.summary ?? `${a.name} summary`,
        description: 'described',
        ...(row ? { runbook_url: `https://docs.caracal.run/operations/alerts/#${a.name.toLowerCase()}` } : {}),
      },
      startsAt: a.startsAt ?? '2026-11-30T03:00:00Z',
      endsAt: a.endsAt ?? (status === 'resolved' ? '2026-11-30T03:10:00Z' : ZERO_TIME),
      generatorURL: 'http://prometheus.local/graph',
      fingerprint: fingerprintOf(labels),
    };
  });
  const common = built.length === 1 ? built[0].labels : {};
  return {
    version: '4',
    groupKey: opts.groupKey ?? '{}:{alertname="x"}',
    truncatedAlerts: 0,
    status: built.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: opts.receiver ?? 'caracal',
    groupLabels: { alertname: alerts[0]?.name ?? 'x' },
    commonLabels: common,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.local',
    alerts: built,
  };
}

export function postNotification(url: string, body: unknown, token: string | null = ALERT_TOKEN): Promise<Response> {
  return fetch(`${url}/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}
