// Configuration: one YAML file (non-secret settings) plus environment variables for secrets.
// Parsed once at start; an invalid file fails with every problem listed. The schema's sections, the secrets and
// the environments live under src/config/; this module is what the rest of the bot imports.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './errors.ts';
import { readEnvironments } from './config/environments.ts';
import { fileSchema, type Config } from './config/file-schema.ts';
import { readSecrets, type Env } from './config/secrets.ts';

export { CARACAL_V1_MIGRATIONS, DISCOVERED_SERVICES, SERVICES, type DiscoveredService, type ServiceName } from './config/services.ts';
export type { CanaryConfig, PodDiscoveryConfig } from './config/caracal-schema.ts';
export { ENVIRONMENT_NAME, type CaracalConfig, type Config, type Thresholds } from './config/file-schema.ts';
export { SECRET_ENV, secretValues, type Env, type SecretName, type Secrets } from './config/secrets.ts';
export { channelEnvironment, environmentConfig, environmentNames } from './config/environments.ts';

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
  const environmentSecrets = parsed.success ? readEnvironments(raw, parsed.data, env, problems) : {};
  if (problems.length > 0 || !parsed.success) throw new ConfigError(problems);
  return Object.freeze({ ...parsed.data, secrets, environmentSecrets, configPath });
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

/** Checks that wait for a slow /ready answer (readyAnswerTimeoutMs) get that long plus a margin by default. */
const WAITS_FOR_READY = new Set(['services.ready']);

export function timeoutFor(config: Pick<Config, 'checks'>, checkId: string): number {
  const set = config.checks.timeouts[checkId];
  if (set !== undefined) return set;
  const base = config.checks.defaultTimeoutMs;
  return WAITS_FOR_READY.has(checkId) ? Math.max(base, config.checks.readyAnswerTimeoutMs + 2_000) : base;
}
