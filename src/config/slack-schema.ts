// How the bot talks to Slack: its HTTP server and pacing towards Slack's limits, and where Alertmanager
// notifications are posted.
import { z } from 'zod';

const slackChannel = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'must be a Slack channel ID (C…)');

export const slackSchema = z
  .object({
    port: z.number().int().min(0).max(65535).default(3000),
    /** Web API base URL, for Slack GovSlack (https://slack-gov.com/api/) or an egress proxy; default Slack's. */
    apiUrl: z.url({ protocol: /^https?$/ }).optional(),
    reportUpdateIntervalMs: z.number().int().min(0).default(1000),
    /** Between two posts in one channel, across replicas: Slack allows about one message per second sustained. */
    postIntervalMs: z.number().int().min(0).default(1000),
    /** A replica's hold on a run's deliveries, renewed while it works; a dead replica's runs wait this long. */
    deliveryLeaseMs: z.number().int().min(1000).default(30_000),
    /** First probe of a channel Slack refuses (invalid_auth, not_in_channel…), then doubling up to 5 minutes. */
    pauseProbeMs: z.number().int().min(100).default(5000),
    /** Graceful shutdown budget; then in-flight work is left for the next replica. */
    shutdownMs: z.number().int().min(0).default(20_000),
    /** App Home tabs follow run changes at most once per interval (coalesced). */
    homeUpdateIntervalMs: z.number().int().min(0).default(3000),
    /** Serve /metrics on its own port (bound like the main one) instead of the public events port. */
    metricsPort: z.number().int().min(0).max(65535).optional(),
  })
  .strict()
  .prefault({});

/** Alertmanager notifications (POST /alertmanager, bearer ALERTMANAGER_WEBHOOK_TOKEN): where each group's message goes. */
export const alertsSchema = z
  .object({
    /** The default incident channel; without it (and without a matching route) notifications are refused. */
    channel: slackChannel.optional(),
    /** First match wins: by Alertmanager receiver, or by the group's common `component` / `severity` label. */
    routes: z
      .array(
        z
          .object({
            receiver: z.string().min(1).optional(),
            component: z.string().min(1).optional(),
            severity: z.string().min(1).optional(),
            channel: slackChannel,
          })
          .strict()
          .refine((r) => r.receiver ?? r.component ?? r.severity, 'a route needs receiver, component or severity'),
      )
      .default([]),
    /**
     * Labels that name an alert's environment (config `environments`), first match wins; a group without one, or
     * whose value names no environment, belongs to its channel's default environment (alerts/environment.ts).
     */
    environmentLabels: z
      .array(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a Prometheus label name'))
      .default(['environment', 'cluster']),
    maxBodyBytes: z
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(512 * 1024),
    /** At most one chat.update per group per interval, however many notifications arrive. */
    updateIntervalMs: z.number().int().min(0).default(1000),
  })
  .strict()
  .prefault({});
