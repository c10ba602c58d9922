// deployment.settings: the preflight of Caracal's own settings (packages/engine/src/preflight.ts) wherever the bot
// can see them: CARACAL_MODE, the key lengths (SECRET_STORE_KEK exactly 32 bytes, the HMAC keys at least 32) and
// the services' TLS files with their certificate expiry. A service with a short key refuses to start in rc/stable;
// one that starts with a different key than its peers fails HMAC checks at run time.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from '../http/findings.ts';
import { readSettings, type Settings } from './sources.ts';
import { judgeCertificate, RENEW } from './x509.ts';

const MODES = ['dev', 'rc', 'stable'];
/** name → [bytes, exact]; the first four are what Caracal's preflight checks; idempotency follows §7.3. */
const KEYS: [string, number, boolean][] = [
  ['SECRET_STORE_KEK', 32, true],
  ['AUDIT_HMAC_KEY', 32, false],
  ['STREAMS_HMAC_KEY', 32, false],
  ['GATEWAY_STS_HMAC_KEY', 32, false],
  ['IDEMPOTENCY_HMAC_KEY', 32, false],
];
const REQUIRED_IN_PUBLISHED = new Set(['SECRET_STORE_KEK', 'AUDIT_HMAC_KEY', 'STREAMS_HMAC_KEY', 'GATEWAY_STS_HMAC_KEY']);

/** As Caracal decodes them: hex when it reads as hex, otherwise base64. */
export function decodeKey(raw: string): Buffer {
  if (/^[0-9a-fA-F]+$/.test(raw) && raw.length % 2 === 0) return Buffer.from(raw, 'hex');
  return Buffer.from(raw, 'base64');
}

function modeFinding(s: Settings): { finding: Finding; published: boolean } {
  const mode = s.values.get('CARACAL_MODE');
  if (!mode) {
    return {
      published: true,
      finding: {
        status: 'pass',
        line: 'CARACAL_MODE: not set where visible; the services treat unset as stable (strict keys, metrics need the bearer)',
      },
    };
  }
  if (!MODES.includes(mode.value)) {
    return {
      published: true,
      finding: {
        status: 'fail',
        line: `CARACAL_MODE="${mode.value}" (${mode.from}): not one of dev, rc, stable`,
        remedy: 'Set CARACAL_MODE to dev, rc or stable; the services refuse anything else.',
      },
    };
  }
  return { published: mode.value !== 'dev', finding: { status: 'pass', line: `CARACAL_MODE=${mode.value} (${mode.from})` } };
}

function keyFinding(s: Settings, name: string, bytes: number, exact: boolean, published: boolean): Finding | undefined {
  const setting = s.values.get(name);
  const hidden = s.hidden.get(name);
  if (!setting) {
    if (hidden)
      return {
        status: 'warn',
        line: `${name}: in ${hidden}: length not checked`,
        remedy: 'Give the bot read access to the mounted Secret (caracal.preflight.secretDir) to check the keys.',
      };
    if (!published || !REQUIRED_IN_PUBLISHED.has(name)) return undefined;
    return {
      status: 'warn',
      line: `${name}: not found in the settings the bot can see; required in rc/stable`,
      remedy: `Point caracal.preflight at where ${name} is set (env file, Secret directory or Helm values), or check the services have it.`,
    };
  }
  const length = decodeKey(setting.value).length;
  const rule = exact ? `exactly ${bytes}` : `at least ${bytes}`;
  if (exact ? length === bytes : length >= bytes) return { status: 'pass', line: `${name}: ${length} bytes (${setting.from})` };
  return {
    status: 'fail',
    line: `${name}: ${length} bytes, must be ${rule} (${setting.from})`,
    remedy:
      `${name} must decode (hex, else base64) to ${rule} bytes: services in rc/stable refuse to start with it. ` +
      (name === 'SECRET_STORE_KEK'
        ? 'Never generate a new KEK for existing data: restore the right one.'
        : 'Every service that shares it must get the same new value.'),
  };
}

async function tlsFindings(ctx: CheckContext, s: Settings): Promise<Finding[]> {
  const cert = s.values.get('TLS_CERT_FILE')?.value;
  const key = s.values.get('TLS_KEY_FILE')?.value;
  if (!cert && !key) return [];
  if (!cert || !key)
    return [
      {
        status: 'fail',
        line: 'TLS_CERT_FILE and TLS_KEY_FILE: only one is set',
        remedy: 'Set both TLS_CERT_FILE and TLS_KEY_FILE, or neither.',
      },
    ];
  let pem: string;
  try {
    pem = await readFile(cert, 'utf8');
    await readFile(key);
  } catch (err) {
    return [
      {
        status: 'warn',
        line: `TLS files ${cert}, ${key}: not readable by the bot (${(err as NodeJS.ErrnoException).code ?? 'error'}): expiry not checked`,
        remedy: 'Mount the TLS files for the bot too, or rely on tls.certificates over https.',
      },
    ];
  }
  try {
    const verdict = judgeCertificate(new X509Certificate(pem), ctx.now(), ctx.thresholds.certificateExpiryWarnDays);
    return [
      { status: verdict.status, line: `TLS_CERT_FILE ${cert}: ${verdict.text}`, ...(verdict.status === 'pass' ? {} : { remedy: RENEW }) },
    ];
  } catch (err) {
    return [
      {
        status: 'fail',
        line: `TLS_CERT_FILE ${cert}: not a PEM certificate (${(err as Error).message})`,
        remedy: 'Point TLS_CERT_FILE at the PEM certificate.',
      },
    ];
  }
}

export const deploymentSettings: CheckDefinition = {
  id: 'deployment.settings',
  title: 'Deployment settings (preflight)',
  gates: ['services'],
  reads: 'caracal.preflight: an env file, a mounted Secret directory or Helm values (CARACAL_MODE, key lengths, TLS files)',
  async run(ctx) {
    const s = await readSettings(ctx.caracal.preflight);
    if (s.sources.length === 0 && s.problems.length === 0) {
      return {
        status: 'pass',
        summary: 'Nothing to check: no deployment settings are visible to the bot (caracal.preflight, or check --helm-values).',
        metrics: { sources: 0 },
      };
    }
    const problems: Finding[] = s.problems.map((p) => ({
      status: 'fail',
      line: p,
      remedy: 'Fix the path under caracal.preflight, or give the bot read access.',
    }));
    const mode = modeFinding(s);
    const keys = KEYS.flatMap(([name, bytes, exact]) => keyFinding(s, name, bytes, exact, mode.published) ?? []);
    const findings = [...problems, mode.finding, ...keys, ...(await tlsFindings(ctx, s))];
    return combine(
      findings,
      { pass: `Mode, key lengths and TLS files are right in ${s.sources.join(', ')}.`, lead: 'Deployment settings' },
      { sources: s.sources.length, 'keys.checked': KEYS.filter(([n]) => s.values.has(n)).length },
    );
  },
};
