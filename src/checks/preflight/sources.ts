// The deployment's own settings, read from wherever the bot can see them: an env file (KEY=VALUE, as the services
// get them, NAME_FILE references followed when readable), a mounted Secret directory (one file per key, named as
// the Helm chart names them or as the variable), or the Helm values file. Values stay in memory: only their
// names, sources and lengths are ever shown.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse as parseYaml } from 'yaml';
import type { CaracalConfig } from '../../config.ts';

/** Variable name → the key the Helm chart's runtime Secret uses for it (infra/helm/caracal values.yaml). */
export const HELM_SECRET_KEYS: Record<string, string> = {
  SECRET_STORE_KEK: 'secretStoreKek',
  AUDIT_HMAC_KEY: 'auditHmacKey',
  STREAMS_HMAC_KEY: 'streamsHmacKey',
  GATEWAY_STS_HMAC_KEY: 'gatewayStsHmacKey',
  IDEMPOTENCY_HMAC_KEY: 'idempotencyHmacKey',
};
export const SETTING_NAMES = ['CARACAL_MODE', ...Object.keys(HELM_SECRET_KEYS), 'TLS_CERT_FILE', 'TLS_KEY_FILE'] as const;

export interface Setting {
  value: string;
  from: string;
}

export interface Settings {
  values: Map<string, Setting>;
  /** Settings that exist but whose value the bot cannot read (a NAME_FILE path not mounted here), with why. */
  hidden: Map<string, string>;
  /** What was read, for the evidence. */
  sources: string[];
  /** Configured sources that could not be read at all. */
  problems: string[];
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code ?? (err as Error).message;

async function fromEnvFile(path: string, out: Settings): Promise<void> {
  const env = parseEnv(await readFile(path, 'utf8'));
  for (const name of SETTING_NAMES) {
    if (out.values.has(name)) continue;
    const value = env[name];
    if (value) {
      out.values.set(name, { value, from: path });
      continue;
    }
    const file = env[`${name}_FILE`];
    if (!file) continue;
    // Like Caracal: NAME_FILE counts only when NAME is empty; the path is the pod's, which may not exist here.
    try {
      const text = (await readFile(file, 'utf8')).trim();
      if (text) out.values.set(name, { value: text, from: `${path} → ${file}` });
      else out.hidden.set(name, `${name}_FILE=${file} is empty (Caracal refuses to start on an empty secret file)`);
    } catch (err) {
      out.hidden.set(name, `${name}_FILE=${file} (${errno(err)} from the bot)`);
    }
  }
}

async function fromSecretDir(dir: string, out: Settings): Promise<void> {
  const files = new Set(await readdir(dir));
  for (const name of SETTING_NAMES) {
    if (out.values.has(name)) continue;
    const file = [name, HELM_SECRET_KEYS[name]].find((f) => f !== undefined && files.has(f));
    if (!file) continue;
    const value = (await readFile(join(dir, file), 'utf8')).trim();
    if (value) out.values.set(name, { value, from: join(dir, file) });
  }
}

function at(tree: unknown, path: string[]): unknown {
  let node = tree;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

async function fromHelmValues(path: string, out: Settings): Promise<void> {
  const values: unknown = parseYaml(await readFile(path, 'utf8'));
  const mode = at(values, ['global', 'mode']);
  if (typeof mode === 'string' && mode && !out.values.has('CARACAL_MODE'))
    out.values.set('CARACAL_MODE', { value: mode, from: `${path} global.mode` });
  // Keys are in the values only when the chart creates the Secret (secrets.create with secrets.plaintext).
  for (const [name, key] of Object.entries(HELM_SECRET_KEYS)) {
    const value = at(values, ['secrets', 'plaintext', key]);
    if (typeof value === 'string' && value && !out.values.has(name))
      out.values.set(name, { value, from: `${path} secrets.plaintext.${key}` });
  }
}

export async function readSettings(preflight: CaracalConfig['preflight']): Promise<Settings> {
  const out: Settings = { values: new Map(), hidden: new Map(), sources: [], problems: [] };
  const readers: [string | undefined, string, (p: string, o: Settings) => Promise<void>][] = [
    [preflight.envFile, 'env file', fromEnvFile],
    [preflight.secretDir, 'Secret directory', fromSecretDir],
    [preflight.helmValues, 'Helm values', fromHelmValues],
  ];
  for (const [path, kind, read] of readers) {
    if (!path) continue;
    try {
      await read(path, out);
      out.sources.push(`${kind} ${path}`);
    } catch (err) {
      out.problems.push(`${kind} ${path} cannot be read (${errno(err)})`);
    }
  }
  // A value read from a file the bot could read supersedes a hidden reference to the same setting elsewhere.
  for (const name of out.values.keys()) out.hidden.delete(name);
  return out;
}
