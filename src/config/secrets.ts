// Secrets come only from the environment (or NAME_FILE), never from the YAML file: which variables, and how
// they are read, per environment.
import { readFileSync } from 'node:fs';

/** Keys here are the variable names. */
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

/** Reads `<prefix>NAME`, or the file `<prefix>NAME_FILE` names; what cannot be read is added to `problems`. */
export function readSecrets(
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

/** `prod-eu` -> `PROD_EU_`: where an environment's secrets are read unless it names its own prefix. */
export function secretsPrefixOf(name: string): string {
  return `${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_`;
}

/** Every secret value currently configured, for redaction and leak tests. */
export function secretValues(config: { secrets: Secrets; environmentSecrets?: Readonly<Record<string, Secrets>> }): string[] {
  const all = [config.secrets, ...Object.values(config.environmentSecrets ?? {})].flatMap((s) => Object.values(s));
  return [...new Set(all)].filter((v): v is string => typeof v === 'string' && v.length >= 4);
}
