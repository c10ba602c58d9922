// Configuration: one YAML file (non-secret settings) plus environment variables for secrets.
// Parsed once at start; an invalid file fails with every problem listed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { GATES, type Gate } from './checks/types.ts';

export const SERVICES = ['sts', 'gateway', 'audit', 'api', 'coordinator'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Caracal v1.0.0 ships these three migrations (caracal-ops.md §2.1). */
export const CARACAL_V1_MIGRATIONS = ['0001_baseline', '0002_approval_hardening', '0003_operator_run_token_usage'];

const url = z.url({ protocol: /^https?$/ });
const urlList = z.array(url).default([]);
const slackChannel = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'must be a Slack channel ID (C…)');

const thresholdsSchema = z
  .object({
    outboxPendingAgeSeconds: z.number().positive().default(300),
    revocationSnapshotMaxAgeSeconds: z.number().positive().default(70),
    streamPendingMax: z.number().int().nonnegative().default(1000),
    streamLagMax: z.number().int().nonnegative().default(1000),
    streamPendingIdleSeconds: z.number().positive().default(120),
    tamperSweepMaxAgeSeconds: z.number().positive().default(7200),
    postgresLatencyWarnMs: z.number().positive().default(500),
    // Caracal's own diagnostics (packages/engine/src/doctor.ts): clock skew, backlog warnings; cert expiry per issue 19.
    clockSkewWarnSeconds: z.number().positive().default(2),
    clockSkewFailSeconds: z.number().positive().default(30),
    certificateExpiryWarnDays: z.number().positive().default(14),
    auditConsumerLagMax: z.number().int().nonnegative().default(1000),
    coordinatorPendingMax: z.number().int().nonnegative().default(500),
  })
  .strict()
  .prefault({});

const fileSchema = z
  .object({
    caracal: z
      .object({
        postgres: z
          .object({
            url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(),
            statementTimeoutMs: z.number().int().positive().default(2000),
            ssl: z.boolean().default(false),
          })
          .strict()
          .prefault({}),
        redis: z
          .object({
            url: z.string().regex(/^rediss?:\/\//, 'must be a redis:// URL').optional(),
            /**
             * Caracal requires appendonly yes (caracal-ops.md §3.1). false only where losing stream entries on a
             * Redis restart is accepted: the local sandbox, a throwaway dev stack. The evidence still shows it.
             */
            requireAppendonly: z.boolean().default(true),
            /** CA bundle for a rediss:// URL (default: the system's CAs). */
            caFile: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
        services: z
          .object(Object.fromEntries(SERVICES.map((s) => [s, urlList])) as Record<ServiceName, typeof urlList>)
          .strict()
          .prefault({}),
        zones: z.array(z.string().min(1)).default([]),
        policySets: z.array(z.object({ zoneId: z.string().min(1), policySetId: z.string().min(1) }).strict()).default([]),
        expectedMigrations: z.array(z.string().regex(/^\d{4}_[A-Za-z0-9_]+$/)).default(CARACAL_V1_MIGRATIONS),
        /** The deployment's own settings, where the bot can see them (deployment.settings, tls.certificates). */
        preflight: z
          .object({
            envFile: z.string().min(1).optional(),
            secretDir: z.string().min(1).optional(),
            helmValues: z.string().min(1).optional(),
            /** PEM bundle that signs the services' certificates, when it is not in the system store. */
            caFile: z.string().min(1).optional(),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    thresholds: thresholdsSchema,
    checks: z
      .object({
        defaultTimeoutMs: z.number().int().positive().default(5000),
        timeouts: z.record(z.string(), z.number().int().positive()).default({}),
        httpTimeoutMs: z.number().int().positive().default(3000),
      })
      .strict()
      .prefault({}),
    recovery: z
      .object({
        /** A check result older than this does not count for Confirm (fail closed). */
        freshnessMinutes: z.number().positive().default(5),
        /** Distinct approvers needed to confirm each gate. */
        approvalsRequired: z
          .object(Object.fromEntries(GATES.map((g) => [g, z.number().int().min(1).max(5).default(g === 'resume' ? 2 : 1)])) as Record<Gate, z.ZodDefault<z.ZodNumber>>)
          .strict()
          .prefault({}),
        approvers: z
          .object({
            users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'must be a Slack user ID (U… or W…)')).default([]),
            userGroups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'must be a Slack user group ID (S…)')).default([]),
            /** A group membership older than this (Slack unreachable) no longer grants approver-only actions. */
            maxStaleMinutes: z.number().positive().default(10),
          })
          .strict()
          .prefault({}),
        /** Who may start recovery runs and drills: approvers only, or anyone in the channel. */
        startRuns: z.enum(['approvers', 'anyone']).default('approvers'),
        /** Channels (IDs) where drills may run; none means no drills, so a rehearsal never blocks an incident channel. */
        drillChannels: z.array(z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a Slack channel ID (C… or G…)')).default([]),
      })
      .strict()
      .prefault({}),
    state: z
      .object({
        /** Where the embedded state database lives when STATE_DATABASE_URL is not set. */
        dataDir: z.string().min(1).default('.data/state'),
        /** Status reports and delivered (or failed) Slack deliveries older than this are deleted. */
        retentionDays: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    slack: z
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
        /** Serve /metrics on its own port (bound like the main one) instead of the public events port. */
        metricsPort: z.number().int().min(0).max(65535).optional(),
      })
      .strict()
      .prefault({}),
    /** Alertmanager notifications (POST /alertmanager, bearer ALERTMANAGER_WEBHOOK_TOKEN): where each group's message goes. */
    alerts: z
      .object({
        /** The default incident channel; without it (and without a matching route) notifications are refused. */
        channel: slackChannel.optional(),
        /** First match wins: by Alertmanager receiver, or by the group's common `component` / `severity` label. */
        routes: z
          .array(
            z
              .object({ receiver: z.string().min(1).optional(), component: z.string().min(1).optional(), severity: z.string().min(1).optional(), channel: slackChannel })
              .strict()
              .refine((r) => r.receiver ?? r.component ?? r.severity, 'a route needs receiver, component or severity'),
          )
          .default([]),
        maxBodyBytes: z.number().int().min(1024).max(10 * 1024 * 1024).default(512 * 1024),
        /** At most one chat.update per group per interval, however many notifications arrive. */
        updateIntervalMs: z.number().int().min(0).default(1000),
      })
      .strict()
      .prefault({}),
    /** Scheduled work (issue 17): watch, reminders and scheduled status, run by one replica at a time. */
    schedules: z
      .object({
        /** Re-run the open gate's checks every this many minutes (per gate, else `everyMinutes`); `/caracal watch` changes it per run. */
        watch: z
          .object({
            everyMinutes: z.number().positive().default(5),
            gates: z.partialRecord(z.enum(GATES), z.number().positive()).default({}),
          })
          .strict()
          .prefault({}),
        reminders: z
          .object({
            /** A claimed gate with no activity this long reminds its claimant in the thread. */
            claimIdleMinutes: z.number().positive().default(30),
            /** After this much more, the channel is offered to release the claim. */
            releaseAfterMinutes: z.number().positive().default(30),
            /** A run with no activity this long asks the channel whether it is still active. */
            runIdleMinutes: z.number().positive().default(120),
            sweepSeconds: z.number().positive().default(60),
          })
          .strict()
          .prefault({}),
        /** /ready calls per minute scheduled checks may spend (Caracal allows 120 per client IP; people need the rest). */
        readyCallsPerMinute: z.number().int().min(1).default(60),
        /** A gate's check results serve every watched run whose tick falls within this window (they watch one Caracal). */
        reuseResultsSeconds: z.number().min(0).default(60),
        pollSeconds: z.number().positive().default(5),
      })
      .strict()
      .prefault({}),
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .strict();

/** Secrets come only from the environment (or NAME_FILE). Keys here are the variable names. */
export const SECRET_ENV = {
  slackBotToken: 'SLACK_BOT_TOKEN',
  slackSigningSecret: 'SLACK_SIGNING_SECRET',
  slackAppToken: 'SLACK_APP_TOKEN',
  postgresPassword: 'CARACAL_POSTGRES_PASSWORD',
  redisPassword: 'CARACAL_REDIS_PASSWORD',
  metricsBearer: 'CARACAL_METRICS_BEARER',
  /** The bot's own /metrics: required as a bearer when set (not Caracal's metrics bearer). */
  botMetricsToken: 'CHATOPS_METRICS_TOKEN',
  coordinatorToken: 'CARACAL_COORDINATOR_TOKEN',
  auditAdminToken: 'CARACAL_AUDIT_ADMIN_TOKEN',
  adminToken: 'CARACAL_ADMIN_TOKEN',
  /** A read-only, capability-scoped API admin token for activation status; never the global write token. */
  apiReadToken: 'CARACAL_API_READ_TOKEN',
  auditHmacKey: 'CARACAL_AUDIT_HMAC_KEY',
  stateDatabaseUrl: 'STATE_DATABASE_URL',
  stateDatabasePassword: 'STATE_DATABASE_PASSWORD',
  alertmanagerToken: 'ALERTMANAGER_WEBHOOK_TOKEN',
} as const;
export type SecretName = keyof typeof SECRET_ENV;
export type Secrets = Partial<Record<SecretName, string>>;

export type FileConfig = z.infer<typeof fileSchema>;
export type Thresholds = FileConfig['thresholds'];
export type CaracalConfig = FileConfig['caracal'];
export interface Config extends FileConfig {
  secrets: Secrets;
  configPath: string | undefined;
}

export type Env = Record<string, string | undefined>;

function readSecrets(env: Env, problems: string[]): Secrets {
  const secrets: Secrets = {};
  for (const [name, variable] of Object.entries(SECRET_ENV) as [SecretName, string][]) {
    let value = env[variable];
    const file = env[`${variable}_FILE`];
    // Like Caracal: the file wins only when the variable itself is empty.
    if (!value && file) {
      try {
        value = readFileSync(file, 'utf8').trim();
        if (!value) problems.push(`${variable}_FILE: ${file} is empty`);
      } catch (err) {
        problems.push(`${variable}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
      }
    }
    if (value) secrets[name] = value;
  }
  return secrets;
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
}

/** Parse a YAML text and an environment into a frozen Config, or throw ConfigError listing every problem. */
export function parseConfig(yamlText: string | undefined, env: Env, configPath?: string): Config {
  let raw: unknown = {};
  if (yamlText !== undefined) {
    try {
      raw = parseYaml(yamlText) ?? {};
    } catch (err) {
      throw new ConfigError([`${configPath ?? 'config'}: not valid YAML: ${(err as Error).message}`]);
    }
  }
  return configFromObject(raw, env, configPath);
}

/** Validate an already-parsed file object (the YAML's, or one the sandbox builds) with the environment's secrets. */
export function configFromObject(raw: unknown, env: Env, configPath?: string): Config {
  const problems: string[] = [];
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) problems.push(...formatIssues(parsed.error));
  const secrets = readSecrets(env, problems);
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze({ ...parsed.data, secrets, configPath });
}

/** Load from CARACAL_CHATOPS_CONFIG (or an explicit path); no file means every default. */
export function loadConfig(env: Env = process.env, explicitPath?: string): Config {
  const path = explicitPath ?? env.CARACAL_CHATOPS_CONFIG;
  if (!path) return parseConfig(undefined, env);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`cannot read config file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseConfig(text, env, path);
}

/** Every secret value currently configured, for redaction and leak tests. */
export function secretValues(config: Pick<Config, 'secrets'>): string[] {
  return Object.values(config.secrets).filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

export function timeoutFor(config: Pick<Config, 'checks'>, checkId: string): number {
  return config.checks.timeouts[checkId] ?? config.checks.defaultTimeoutMs;
}
