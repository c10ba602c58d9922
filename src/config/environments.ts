// Named environments (several Caracal deployments, one bot): which one a channel uses, the rules a file's
// environments must follow, and the configuration as one environment's checks see it.
import type { Config, FileConfig } from './file-schema.ts';
import { CARACAL_SECRETS, readSecrets, secretsPrefixOf, type Env, type Secrets } from './secrets.ts';

/**
 * Checks what the schema cannot (a channel belongs to one environment; a named default replaces the top-level
 * section) and reads each named environment's secrets with its prefix. Problems are added to `problems`.
 */
export function readEnvironments(raw: unknown, data: FileConfig, env: Env, problems: string[]): Record<string, Secrets> {
  const environmentSecrets: Record<string, Secrets> = {};
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
  return environmentSecrets;
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
