// Configuration: one YAML file (non-secret settings) plus environment variables for secrets.
// Parsed once at start; an invalid file fails with every problem listed.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { GATES, type Gate } from './domain/gates.ts';

export const SERVICES = ['sts', 'gateway', 'audit', 'api', 'coordinator'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The services whose pods hold state of their own (snapshots, counters, replay files): each pod is discovered. */
export const DISCOVERED_SERVICES = ['sts', 'gateway', 'audit'] as const satisfies readonly ServiceName[];
export type DiscoveredService = (typeof DISCOVERED_SERVICES)[number];

/** Caracal v1.0.0 ships these three migrations (caracal-ops.md §2.1). */
export const CARACAL_V1_MIGRATIONS = ['0001_baseline', '0002_approval_hardening', '0003_operator_run_token_usage'];

const url = z.url({ protocol: /^https?$/ });
const urlList = z.array(url).default([]);
const slackChannel = z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'must be a Slack channel ID (C…)');

const port = z.number().int().min(1).max(65535);
const scheme = z.enum(['http', 'https']).default('http');
/**
 * How one service's pods are found. static: the URLs under caracal.services (a Service URL reaches one random pod
 * per request: caracal-ops.md §15.2.1). dns: the A/AAAA records of a headless Service (deploy/kustomize/
 * caracal-namespace). endpointslice: the Kubernetes EndpointSlices of a Service (in-cluster credentials).
 */
const podDiscovery = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('static') }).strict(),
  z.object({ mode: z.literal('dns'), name: z.string().min(1), port, scheme }).strict(),
  z
    .object({ mode: z.literal('endpointslice'), service: z.string().min(1), namespace: z.string().min(1), port: port.optional(), scheme })
    .strict(),
]);
export type PodDiscoveryConfig = z.infer<typeof podDiscovery>;
const discoverySchema = z
  .object({
    ...(Object.fromEntries(DISCOVERED_SERVICES.map((s) => [s, podDiscovery.default({ mode: 'static' })])) as Record<
      DiscoveredService,
      z.ZodDefault<typeof podDiscovery>
    >),
    /** Where the EndpointSlice API is: a kubeconfig file, or a plain URL (kubectl proxy); neither: in-cluster. */
    kubernetes: z
      .object({ kubeconfig: z.string().min(1).optional(), server: z.url({ protocol: /^https?$/ }).optional() })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});

/** One canary request through the Gateway; headers are not secret (the mandate is CARACAL_CANARY_BEARER). */
const canaryRequest = z
  .object({
    method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'HEAD']).default('GET'),
    path: z.string().regex(/^\//, 'must start with /'),
    headers: z.record(z.string().regex(/^[A-Za-z0-9-]+$/), z.string()).default({}),
    expectStatus: z.number().int().min(100).max(599),
  })
  .strict()
  .refine(
    (r) => !Object.keys(r.headers).some((h) => h.toLowerCase() === 'authorization'),
    'no Authorization header here: the mandate comes from CARACAL_CANARY_BEARER',
  );
/** The Resume canary (caracal-ops.md §12 "Resume traffic"): an allow and a deny through the Gateway, found in Audit. */
const canarySchema = z
  .object({
    zoneId: z.string().min(1),
    allow: canaryRequest,
    deny: canaryRequest,
    lookupTimeoutMs: z.number().int().positive().default(10_000),
  })
  .strict();
export type CanaryConfig = z.infer<typeof canarySchema>;

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

const caracalSchema = z
  .object({
    postgres: z
      .object({
        url: z
          .string()
          .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
          .optional(),
        statementTimeoutMs: z.number().int().positive().default(2000),
        ssl: z.boolean().default(false),
      })
      .strict()
      .prefault({}),
    redis: z
      .object({
        url: z
          .string()
          .regex(/^rediss?:\/\//, 'must be a redis:// URL')
          .optional(),
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
    discovery: discoverySchema,
    canary: canarySchema.optional(),
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
  .prefault({});

/** An environment's name: what people type after a command (`/caracal status staging`). */
export const ENVIRONMENT_NAME = /^[a-z][a-z0-9-]{0,31}$/;
const environmentName = z.string().regex(ENVIRONMENT_NAME, 'must be lower case letters, digits and dashes (e.g. prod-eu)');

/** One Caracal deployment the bot serves: its targets, the channels that use it by default, where its secrets are. */
const environmentSchema = z
  .object({
    caracal: caracalSchema,
    /** Channels (IDs) whose commands use this environment when none is named. */
    channels: z.array(z.string().regex(/^[CG][A-Z0-9]+$/, 'must be a Slack channel ID (C… or G…)')).default([]),
    /** Its secrets are read from `<prefix>CARACAL_POSTGRES_PASSWORD` and so on; default: the name in capitals and `_` (PROD_EU_). */
    secretsPrefix: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*_$/, 'must be capitals, digits and _, ending in _')
      .optional(),
  })
  .strict();

const fileSchema = z
  .object({
    caracal: caracalSchema,
    /**
     * Named Caracal deployments besides the default one (the top-level `caracal` section). When `defaultEnvironment`
     * names one of these, it is the default and the top-level `caracal` section must be left out.
     */
    environments: z.record(environmentName, environmentSchema).default({}),
    /** The name of the environment used when a command names none and its channel has no default. */
    defaultEnvironment: environmentName.default('default'),
    thresholds: thresholdsSchema,
    checks: z
      .object({
        defaultTimeoutMs: z.number().int().positive().default(5000),
        timeouts: z.record(z.string(), z.number().int().positive()).default({}),
        httpTimeoutMs: z.number().int().positive().default(3000),
        /**
         * API and Coordinator GET /ready: with Redis down they answer 500 internal_error only after their Redis
         * client gives up, 0.5 to 21 s later (caracal-ops.md §15.1.1); a shorter wait sees "no answer", not the 500.
         */
        readyAnswerTimeoutMs: z.number().int().positive().default(25_000),
      })
      .strict()
      .prefault({}),
    /** Single-flight and budgets (issue 18): what one person, one channel and the bot itself may ask for. */
    limits: z
      .object({
        /** A check finished less than this ago is handed out again instead of run again (0: share only runs in flight). */
        resultCacheMs: z.number().int().min(0).default(10_000),
        /** Calls per minute this replica makes to one /ready URL; Caracal refuses past 120 per client address. */
        readyPerMinute: z.number().int().min(1).max(120).default(100),
        /** Calls per minute this replica makes to one Coordinator (every route but /health); Caracal refuses past 600. */
        coordinatorPerMinute: z.number().int().min(1).max(600).default(500),
        /** Requests that run checks or post reports (status, Run checks, troubleshoot, Details), per minute. */
        checksPerUserPerMinute: z.number().int().min(1).default(12),
        checksPerChannelPerMinute: z.number().int().min(1).default(30),
        /** Notes (command and message shortcut) per minute. */
        notesPerUserPerMinute: z.number().int().min(1).default(10),
        notesPerChannelPerMinute: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    recovery: z
      .object({
        /** A check result older than this does not count for Confirm (fail closed). */
        freshnessMinutes: z.number().positive().default(5),
        /** Distinct approvers needed to confirm each gate. */
        approvalsRequired: z
          .object(
            Object.fromEntries(
              GATES.map((g) => [
                g,
                z
                  .number()
                  .int()
                  .min(1)
                  .max(5)
                  .default(g === 'resume' ? 2 : 1),
              ]),
            ) as Record<Gate, z.ZodDefault<z.ZodNumber>>,
          )
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
        /** App Home tabs follow run changes at most once per interval (coalesced). */
        homeUpdateIntervalMs: z.number().int().min(0).default(3000),
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
        /**
         * A scheduled run starts only while its /ready calls keep each /ready URL within this many calls this minute,
         * counted on the bot's one call budget (people's checks included; Caracal allows 120 per client IP, and
         * people's checks may go on up to limits.readyPerMinute).
         */
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
  /** The mandate the Resume canary sends through the Gateway. */
  canaryBearer: 'CARACAL_CANARY_BEARER',
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
  /** Each named environment's Caracal secrets (read with its prefix); the default's are in `secrets`. */
  environmentSecrets: Readonly<Record<string, Secrets>>;
  configPath: string | undefined;
}

/** The secrets that belong to one Caracal deployment (each environment has its own). */
export const CARACAL_SECRETS = [
  'postgresPassword',
  'redisPassword',
  'metricsBearer',
  'coordinatorToken',
  'auditAdminToken',
  'adminToken',
  'apiReadToken',
  'auditHmacKey',
] as const satisfies readonly SecretName[];

export type Env = Record<string, string | undefined>;

function readSecrets(
  env: Env,
  problems: string[],
  names: readonly SecretName[] = Object.keys(SECRET_ENV) as SecretName[],
  prefix = '',
): Secrets {
  const secrets: Secrets = {};
  for (const name of names) {
    const variable = `${prefix}${SECRET_ENV[name]}`;
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
  const environmentSecrets: Record<string, Secrets> = {};
  if (parsed.success) {
    const data = parsed.data;
    const named = data.environments[data.defaultEnvironment];
    if (named && typeof raw === 'object' && raw !== null && 'caracal' in raw) {
      problems.push(`caracal: the default environment is environments.${data.defaultEnvironment}; leave the top-level caracal section out`);
    }
    const owner = new Map<string, string>();
    for (const [name, e] of Object.entries(data.environments)) {
      for (const channel of e.channels) {
        const other = owner.get(channel);
        if (other) problems.push(`environments.${name}.channels: ${channel} is already a channel of ${other}`);
        owner.set(channel, name);
      }
      // The default's secrets stay the unprefixed ones, so a single-environment setup keeps working unchanged.
      if (name === data.defaultEnvironment) continue;
      environmentSecrets[name] = readSecrets(env, problems, CARACAL_SECRETS, e.secretsPrefix ?? secretsPrefixOf(name));
    }
  }
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze({ ...parsed.data, secrets, environmentSecrets, configPath });
}

/** `prod-eu` -> `PROD_EU_`: where an environment's secrets are read unless it names its own prefix. */
export function secretsPrefixOf(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Every environment's name, the default first. */
export function environmentNames(config: Pick<Config, 'environments' | 'defaultEnvironment'>): string[] {
  return [
    config.defaultEnvironment,
    ...Object.keys(config.environments)
      .filter((n) => n !== config.defaultEnvironment)
      .sort(),
  ];
}

/** The environment a channel's commands use when they name none. */
export function channelEnvironment(config: Pick<Config, 'environments' | 'defaultEnvironment'>, channelId: string): string {
  return Object.entries(config.environments).find(([, e]) => e.channels.includes(channelId))?.[0] ?? config.defaultEnvironment;
}

/**
 * The configuration as one environment's checks see it: its own `caracal` targets and Caracal secrets (the Slack
 * and state secrets stay), so `createCheckTargets` builds its clients unchanged.
 */
export function environmentConfig(config: Config, name: string): Config {
  if (name === config.defaultEnvironment) {
    const named = config.environments[name];
    return named ? { ...config, caracal: named.caracal } : config;
  }
  const e = config.environments[name];
  if (!e) throw new Error(`unknown environment ${name}`);
  const secrets: Secrets = { ...config.secrets };
  for (const k of CARACAL_SECRETS) delete secrets[k];
  return { ...config, caracal: e.caracal, secrets: { ...secrets, ...config.environmentSecrets[name] } };
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
export function secretValues(config: Pick<Config, 'secrets'> & { environmentSecrets?: Config['environmentSecrets'] }): string[] {
  const all = [config.secrets, ...Object.values(config.environmentSecrets ?? {})].flatMap((s) => Object.values(s));
  return [...new Set(all)].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

/** Checks that wait for a slow /ready answer (readyAnswerTimeoutMs) get that long plus a margin by default. */
const WAITS_FOR_READY = new Set(['services.ready']);

export function timeoutFor(config: Pick<Config, 'checks'>, checkId: string): number {
  const set = config.checks.timeouts[checkId];
  if (set !== undefined) return set;
  const base = config.checks.defaultTimeoutMs;
  return WAITS_FOR_READY.has(checkId) ? Math.max(base, config.checks.readyAnswerTimeoutMs + 2_000) : base;
}
