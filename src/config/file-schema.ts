// The whole configuration file: the default deployment's `caracal` section, the named environments, and the
// bot's own sections; and the Config type the rest of the bot reads (the file plus the secrets).
import { z } from 'zod';
import { caracalSchema } from './caracal-schema.ts';
import { checksSchema, limitsSchema, thresholdsSchema } from './checks-schema.ts';
import { recoverySchema, schedulesSchema } from './recovery-schema.ts';
import type { Secrets } from './secrets.ts';
import { alertsSchema, slackSchema } from './slack-schema.ts';

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

export const fileSchema = z
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
    checks: checksSchema,
    limits: limitsSchema,
    recovery: recoverySchema,
    state: z
      .object({
        /** Where the embedded state database lives when STATE_DATABASE_URL is not set. */
        dataDir: z.string().min(1).default('.data/state'),
        /** Status reports and delivered (or failed) Slack deliveries older than this are deleted. */
        retentionDays: z.number().int().min(1).default(30),
      })
      .strict()
      .prefault({}),
    slack: slackSchema,
    alerts: alertsSchema,
    schedules: schedulesSchema,
    logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  })
  .strict();

export type FileConfig = z.infer<typeof fileSchema>;
export type Thresholds = FileConfig['thresholds'];
export type CaracalConfig = FileConfig['caracal'];
export interface Config extends FileConfig {
  secrets: Secrets;
  /** Each named environment's Caracal secrets (read with its prefix); the default's are in `secrets`. */
  environmentSecrets: Readonly<Record<string, Secrets>>;
  configPath: string | undefined;
}
