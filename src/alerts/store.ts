// Alert groups and their alerts in the state database. A notification is applied alert by alert so that a repeat
// changes nothing and a stale one (older than what is stored) is ignored; only real changes bump the group's version.
import type { Queryable } from '../store/db.ts';
import type { AlertChange, AlertGroup, AlertStatus, StoredAlert } from '../domain/alerts.ts';
import type { WebhookAlert, WebhookPayload } from './webhook.ts';

type AlertRow = {
  fingerprint: string;
  name: string;
  status: AlertStatus;
  severity: string | null;
  component: string | null;
  summary: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: Date;
  ends_at: Date | null;
  channel_id: string;
};
type GroupRow = {
  group_key: string;
  channel_id: string;
  receiver: string;
  group_labels: Record<string, string>;
  external_url: string;
  truncated_alerts: number;
  message_ts: string | null;
  version: number;
  delivered_version: number;
  created_at: Date;
};

const toAlert = (r: AlertRow): StoredAlert => ({
  fingerprint: r.fingerprint,
  name: r.name,
  status: r.status,
  severity: r.severity ?? undefined,
  component: r.component ?? undefined,
  summary: r.summary ?? undefined,
  labels: r.labels,
  annotations: r.annotations,
  startsAt: new Date(r.starts_at),
  endsAt: r.ends_at ? new Date(r.ends_at) : undefined,
  channelId: r.channel_id,
});

/** Alertmanager's "no end yet" is year 1; anything before 1971 means unset. */
function endOf(a: WebhookAlert): Date | undefined {
  const d = new Date(a.endsAt);
  return d.getTime() > 0 ? d : undefined;
}

/**
 * What the incoming alert does to the stored one. A later `startsAt` is a new episode; an earlier one is stale. With the
 * same `startsAt`, firing → resolved resolves, and a "firing" after "resolved" is a late retry that must not reopen it.
 */
export function verdict(
  stored: Pick<StoredAlert, 'status' | 'startsAt'> | undefined,
  incoming: { status: AlertStatus; startsAt: Date },
): 'new' | 'change' | 'same' | 'stale' {
  if (!stored) return 'new';
  const a = incoming.startsAt.getTime();
  const b = stored.startsAt.getTime();
  if (a < b) return 'stale';
  if (a > b) return 'change';
  if (incoming.status === stored.status) return 'same';
  return incoming.status === 'resolved' ? 'change' : 'stale';
}

/** Lock (creating if needed) the group row; the channel is chosen once, where its message lives. */
async function lockGroup(q: Queryable, p: WebhookPayload, channelId: string, now: Date): Promise<{ channelId: string; created: boolean }> {
  const inserted = await q.query(
    `INSERT INTO alert_groups (group_key, channel_id, receiver, group_labels, external_url, truncated_alerts, created_at, updated_at)
     VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $7) ON CONFLICT (group_key) DO NOTHING`,
    [p.groupKey, channelId, p.receiver, JSON.stringify(p.groupLabels), p.externalURL, p.truncatedAlerts, now],
  );
  const [row] = (await q.query<{ channel_id: string }>('SELECT channel_id FROM alert_groups WHERE group_key = $1 FOR UPDATE', [p.groupKey]))
    .rows;
  return { channelId: row.channel_id, created: inserted.rowCount === 1 };
}

/** Apply one notification in the caller's transaction; returns the changes that took effect and whether to re-render. */
export async function applyNotification(
  q: Queryable,
  p: WebhookPayload,
  channelId: string,
  now: Date,
): Promise<{ changes: AlertChange[]; dirty: boolean; channelId: string }> {
  const group = await lockGroup(q, p, channelId, now);
  const existing = new Map(
    (
      await q.query<AlertRow>('SELECT * FROM alerts WHERE group_key = $1 AND fingerprint = ANY($2::text[])', [
        p.groupKey,
        p.alerts.map((a) => a.fingerprint),
      ])
    ).rows.map((r) => [r.fingerprint, toAlert(r)]),
  );
  const changes: AlertChange[] = [];
  for (const a of p.alerts) {
    const startsAt = new Date(a.startsAt);
    const v = verdict(existing.get(a.fingerprint), { status: a.status, startsAt });
    if (v === 'same' || v === 'stale') continue;
    const alert: StoredAlert = {
      fingerprint: a.fingerprint,
      name: a.labels.alertname,
      status: a.status,
      severity: a.labels.severity,
      component: a.labels.component,
      summary: a.annotations.summary,
      labels: a.labels,
      annotations: a.annotations,
      startsAt,
      endsAt: a.status === 'resolved' ? (endOf(a) ?? now) : undefined,
      channelId: group.channelId,
    };
    await q.query(
      `INSERT INTO alerts (group_key, fingerprint, name, status, severity, component, summary, labels, annotations, starts_at, ends_at, channel_id, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10, $11, $12, $13)
       ON CONFLICT (group_key, fingerprint) DO UPDATE SET name = EXCLUDED.name, status = EXCLUDED.status, severity = EXCLUDED.severity,
         component = EXCLUDED.component, summary = EXCLUDED.summary, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
         starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, updated_at = EXCLUDED.updated_at`,
      [
        p.groupKey,
        a.fingerprint,
        alert.name,
        alert.status,
        alert.severity ?? null,
        alert.component ?? null,
        alert.summary ?? null,
        JSON.stringify(a.labels),
        JSON.stringify(a.annotations),
        startsAt,
        alert.endsAt ?? null,
        group.channelId,
        now,
      ],
    );
    changes.push({ alert, status: a.status });
  }
  const dirty = group.created || changes.length > 0;
  if (dirty) {
    await q.query(`UPDATE alert_groups SET version = version + $2, truncated_alerts = $3, updated_at = $4 WHERE group_key = $1`, [
      p.groupKey,
      group.created ? 0 : 1,
      p.truncatedAlerts,
      now,
    ]);
  }
  return { changes, dirty, channelId: group.channelId };
}

export async function loadGroup(q: Queryable, groupKey: string): Promise<AlertGroup | undefined> {
  const [g] = (await q.query<GroupRow>('SELECT * FROM alert_groups WHERE group_key = $1', [groupKey])).rows;
  if (!g) return undefined;
  const alerts = (
    await q.query<AlertRow>('SELECT * FROM alerts WHERE group_key = $1 ORDER BY starts_at, name, fingerprint', [groupKey])
  ).rows.map(toAlert);
  return {
    groupKey: g.group_key,
    channelId: g.channel_id,
    receiver: g.receiver,
    groupLabels: g.group_labels,
    externalUrl: g.external_url,
    truncatedAlerts: g.truncated_alerts,
    messageTs: g.message_ts ?? undefined,
    version: g.version,
    deliveredVersion: g.delivered_version,
    createdAt: new Date(g.created_at),
    alerts,
  };
}

/** The alerts firing now in a channel, oldest first (run dashboards, the Resume warning). */
export async function firingAlerts(q: Queryable, channelId: string): Promise<StoredAlert[]> {
  return (
    await q.query<AlertRow>(`SELECT * FROM alerts WHERE channel_id = $1 AND status = 'firing' ORDER BY starts_at, name, fingerprint`, [
      channelId,
    ])
  ).rows.map(toAlert);
}

/** Take the group's delivery lease, or undefined when another replica holds it. */
export async function claimGroup(q: Queryable, groupKey: string, workerId: string, leaseMs: number): Promise<boolean> {
  const res = await q.query(
    `UPDATE alert_groups SET locked_by = $2, locked_until = now() + ($3::int * interval '1 millisecond')
     WHERE group_key = $1 AND (locked_until IS NULL OR locked_until < now() OR locked_by = $2)`,
    [groupKey, workerId, leaseMs],
  );
  return res.rowCount === 1;
}

export async function releaseGroup(
  q: Queryable,
  groupKey: string,
  workerId: string,
  result: { deliveredVersion: number; messageTs: string } | { error: string },
): Promise<void> {
  if ('error' in result) {
    await q.query(
      'UPDATE alert_groups SET locked_by = NULL, locked_until = NULL, last_error = $3 WHERE group_key = $1 AND locked_by = $2',
      [groupKey, workerId, result.error],
    );
    return;
  }
  await q.query(
    `UPDATE alert_groups SET locked_by = NULL, locked_until = NULL, last_error = NULL, message_ts = $3, post_pending = false,
            delivered_version = GREATEST(delivered_version, $4) WHERE group_key = $1 AND locked_by = $2`,
    [groupKey, workerId, result.messageTs, result.deliveredVersion],
  );
}

/**
 * Groups whose message is behind their state (a restart, a failed call, another replica's notification), except in a
 * channel Slack refuses until its next probe (the pause the run outbox shares).
 */
export async function undeliveredGroups(q: Queryable, limit: number): Promise<string[]> {
  return (
    await q.query<{ group_key: string }>(
      `SELECT g.group_key FROM alert_groups g WHERE g.delivered_version < g.version AND (g.locked_until IS NULL OR g.locked_until < now())
       AND NOT EXISTS (SELECT 1 FROM slack_channels c WHERE c.channel_id = g.channel_id AND c.paused_error IS NOT NULL AND c.next_probe_at > now())
     ORDER BY g.updated_at LIMIT $1`,
      [limit],
    )
  ).rows.map((r) => r.group_key);
}
