// Alertmanager's webhook body, version 4 (Alertmanager 0.25's `template.Data` plus groupKey and truncatedAlerts).
// Anything else is refused before it is stored: this endpoint has no signature, only a bearer token.
import { z } from 'zod';

const labels = z.record(z.string().max(256), z.string().max(4096));
/** Alertmanager writes RFC 3339 times; an alert still firing has endsAt "0001-01-01T00:00:00Z". */
const time = z.iso.datetime({ offset: true });

export const webhookAlert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labels.refine((l) => typeof l.alertname === 'string' && l.alertname.length > 0, 'labels.alertname is required'),
  annotations: labels.default({}),
  startsAt: time,
  endsAt: time,
  generatorURL: z.string().max(2048).default(''),
  fingerprint: z.string().regex(/^[0-9a-f]{1,32}$/),
});

export const webhookPayload = z.object({
  version: z.literal('4'),
  groupKey: z.string().min(1).max(1024),
  truncatedAlerts: z.number().int().nonnegative().default(0),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string().min(1).max(256),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().max(2048).default(''),
  alerts: z.array(webhookAlert).min(1).max(1000),
});

export type WebhookAlert = z.infer<typeof webhookAlert>;
export type WebhookPayload = z.infer<typeof webhookPayload>;
