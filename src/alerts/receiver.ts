// POST /alertmanager: Alertmanager's webhook (payload version 4). No signature exists, so the bearer token is the
// only proof of origin: anything without it is refused before the body is read. The body is size-limited, parsed
// and validated, applied in one transaction (with the open run's events), and only then answered 200; the group's
// Slack message follows through the alert delivery. Alertmanager retries 5xx, not 4xx.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Db } from '../store/db.ts';
import { channelFor } from './routing.ts';
import { recordAlertsInRun } from './runs.ts';
import { applyNotification } from './store.ts';
import { webhookPayload, type WebhookPayload } from './webhook.ts';

export interface AlertReceiverDeps {
  db: Db;
  alerts: Config['alerts'];
  token: string | undefined;
  logger: Logger;
  now: () => Date;
  /** A group changed: update its message. */
  onGroupChanged(groupKey: string): void;
  /** A run got events: deliver its dashboard and thread. */
  onRunChanged(runId: string): void;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

function authorized(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice(7)), digest(token)); // equal lengths, constant time
}

class BodyTooLarge extends Error {}

async function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > max) throw new BodyTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', ...(status === 413 ? { connection: 'close' } : {}) });
  res.end(JSON.stringify(body));
}

export async function handleNotification(deps: AlertReceiverDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const log = deps.logger.child({ route: '/alertmanager' });
  if (!authorized(req.headers.authorization, deps.token)) {
    if (!deps.token) log.warn('an Alertmanager notification was refused: ALERTMANAGER_WEBHOOK_TOKEN is not set');
    req.resume();
    return reply(res, 401, { ok: false, error: 'unauthorized' });
  }
  let raw: Buffer;
  try {
    raw = await readBody(req, deps.alerts.maxBodyBytes);
  } catch (err) {
    if (err instanceof BodyTooLarge) {
      req.resume();
      return reply(res, 413, { ok: false, error: `body larger than ${deps.alerts.maxBodyBytes} bytes` });
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    return reply(res, 400, { ok: false, error: 'body is not JSON' });
  }
  const parsed = webhookPayload.safeParse(json);
  if (!parsed.success) {
    // Paths only: the body is not echoed (it may carry anything).
    return reply(res, 422, {
      ok: false,
      error: 'not an Alertmanager webhook payload (version 4)',
      issues: parsed.error.issues.slice(0, 10).map((i) => i.path.join('.')),
    });
  }
  const p = parsed.data;
  const channel = channelFor(deps.alerts, p);
  if (!channel) {
    log.error({ receiver: p.receiver }, 'no channel for this Alertmanager notification: set alerts.channel or a route');
    return reply(res, 503, { ok: false, error: 'no channel configured for these alerts (alerts.channel)' });
  }
  const changes = await applyPayload(deps, p, channel);
  reply(res, 200, { ok: true, changes });
}

/** Store a validated notification with the run's events in one transaction, then wake the deliveries. */
export async function applyPayload(deps: AlertReceiverDeps, p: WebhookPayload, channel: string): Promise<number> {
  const now = deps.now();
  const result = await deps.db.transaction(async (tx) => {
    const applied = await applyNotification(tx, p, channel, now);
    const runId = await recordAlertsInRun(tx, applied.channelId, applied.changes, now);
    return { ...applied, runId };
  });
  deps.logger.info(
    { groupKey: p.groupKey, alerts: p.alerts.length, changes: result.changes.length, runId: result.runId },
    'Alertmanager notification applied',
  );
  if (result.dirty) deps.onGroupChanged(p.groupKey);
  if (result.runId) deps.onRunChanged(result.runId);
  return result.changes.length;
}

export function alertmanagerRoute(deps: AlertReceiverDeps): CustomRoute {
  return {
    path: '/alertmanager',
    method: ['POST'],
    handler: (req, res) => {
      handleNotification(deps, req, res).catch((err: unknown) => {
        deps.logger.error({ err }, 'Alertmanager notification failed; Alertmanager will retry');
        reply(res, 500, { ok: false, error: 'internal error' });
      });
    },
  };
}
