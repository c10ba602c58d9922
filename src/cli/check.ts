// `caracal-chatops check`: the same checks as `/caracal status`, for a terminal (Slack may be down too).
// Loads only what a check run needs: no Bolt, no state database, no simulator (test/cli/lazy-imports.test.ts).
import { createCheckTargets } from '../checks/context.ts';
import { runChecks } from '../checks/executor.ts';
import { worstStatus } from '../domain/check-result.ts';
import { ALL_CHECKS } from '../checks/registry.ts';
import { GATES, type Gate } from '../domain/gates.ts';
import type { CheckDefinition } from '../checks/types.ts';
import { environmentConfig, environmentNames, loadConfig, timeoutFor, type Config, type Env } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { parseFlags } from './args.ts';
import { EXIT, SetupError, UsageError } from './exit-codes.ts';
import { loadSandboxConfig } from './sandbox-target.ts';
import { resultsTable } from './table.ts';

export { EXIT };

/** The configuration as the named environment's checks see it; a name it does not have is a wrong invocation. */
function forEnvironment(config: Config, name: string | undefined): Config {
  if (name === undefined) return config;
  const known = environmentNames(config);
  if (!known.includes(name)) throw new UsageError(`check: unknown environment "${name}" (known: ${known.join(', ')})`);
  return environmentConfig(config, name);
}

/** About 40k rows/s here: an hour covers tens of millions of audit rows. */
const DEEP_TIMEOUT_MS = 60 * 60_000;
const FORMATS = ['table', 'json', 'junit'] as const;

export const CHECK_USAGE = `usage: caracal-chatops check [--config FILE | --sandbox] [--environment NAME] [--only IDS] [--gate GATE] [--format table|json|junit] [--deep] [--helm-values FILE] [--baseline FILE]

  --config FILE   the YAML configuration (default: $CARACAL_CHATOPS_CONFIG); secrets come from the environment
  --sandbox       check the running local sandbox (reads the config it writes under $TMPDIR/caracal-chatops-sandbox)
  --environment NAME  check this environment of the configuration (its own targets and secrets); default: the
                  default environment. A name the configuration does not have is a usage error (64)
  --only IDS      only these checks, comma-separated (e.g. postgres.reachable,redis.streams)
  --gate GATE     only the checks of one gate: ${GATES.join(', ')}
  --format F      table (default), json or junit; --json is short for --format json
  --deep          also recompute every zone's audit chain over audit_events (audit.chain)
  --helm-values FILE  the deployment's Helm values, for the settings preflight (deployment.settings)
  --baseline FILE the residue baseline: written when FILE is absent (do it when the incident starts), judged
                  against when present (dead streams, DLQ integrity entries, compile errors and tamper counters
                  from before it are shown as old residue; only what is new fails)

exit codes: 0 pass, 1 warn, 2 fail, 64 usage, 78 configuration`;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Env;
}

function configFor(values: { config?: string | undefined; sandbox?: boolean | undefined }, env: Env): Config {
  if (values.sandbox && values.config) throw new UsageError('check: --sandbox and --config exclude each other');
  try {
    if (values.sandbox) return loadSandboxConfig(env);
    if (!values.config && !env.CARACAL_CHATOPS_CONFIG) {
      throw new SetupError(
        'check: no configuration: pass --config FILE or set CARACAL_CHATOPS_CONFIG (start from config.example.yml), or use --sandbox for the running sandbox',
      );
    }
    return loadConfig(env, values.config);
  } catch (err) {
    if (err instanceof ConfigError)
      throw new SetupError(`check: invalid configuration${values.config ? ` in ${values.config}` : ''}: ${err.problems.join('; ')}`);
    throw err;
  }
}

async function selection(
  values: { only?: string[] | undefined; gate?: string | undefined; deep?: boolean | undefined },
  checks: readonly CheckDefinition[],
): Promise<CheckDefinition[]> {
  // The deep chain walk is loaded only when asked for (it brings the COPY client and the verifiers).
  const wantsDeep = values.deep || values.only?.some((list) => list.split(',').includes('audit.chain'));
  const available = wantsDeep ? [...checks, (await import('../audit/deep-check.ts')).auditChainDeep] : [...checks];
  let list = available;
  if (values.gate !== undefined) {
    if (!(GATES as readonly string[]).includes(values.gate))
      throw new UsageError(`check: unknown gate "${values.gate}" (one of ${GATES.join(', ')})`);
    list = list.filter((c) => c.gates.includes(values.gate as Gate));
  }
  if (values.only) {
    const ids = values.only
      .flatMap((v) => v.split(','))
      .map((s) => s.trim())
      .filter(Boolean);
    const unknown = ids.filter((id) => !available.some((c) => c.id === id));
    if (unknown.length > 0)
      throw new UsageError(`check: unknown check ${unknown.join(', ')} (known: ${available.map((c) => c.id).join(', ')})`);
    list = list.filter((c) => ids.includes(c.id));
  }
  if (list.length === 0) throw new UsageError('check: --only and --gate leave no check to run');
  return list;
}

export async function checkCommand(argv: string[], io: CliIo, checks: readonly CheckDefinition[] = ALL_CHECKS): Promise<number> {
  const { values } = parseFlags('check', {
    args: argv,
    options: {
      config: { type: 'string' },
      sandbox: { type: 'boolean' },
      environment: { type: 'string' },
      only: { type: 'string', multiple: true },
      gate: { type: 'string' },
      format: { type: 'string' },
      json: { type: 'boolean' },
      deep: { type: 'boolean' },
      'helm-values': { type: 'string' },
      baseline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    io.out(CHECK_USAGE);
    return EXIT.pass;
  }
  const format = values.json ? 'json' : (values.format ?? 'table');
  if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`check: unknown format "${format}" (table, json or junit)`);
  const list = await selection(values, checks);
  let config = forEnvironment(configFor(values, io.env), values.environment);
  const helmValues = values['helm-values'];
  if (helmValues) config = { ...config, caracal: { ...config.caracal, preflight: { ...config.caracal.preflight, helmValues } } };
  const targets = createCheckTargets(config);
  try {
    if (values.baseline) {
      const { scope, note } = await (await import('./baseline-file.ts')).useBaselineFile(values.baseline, targets.context);
      targets.context.incident = scope;
      io.err(note);
    }
    const timeoutMs = (id: string) => (id === 'audit.chain' && !config.checks.timeouts[id] ? DEEP_TIMEOUT_MS : timeoutFor(config, id));
    const results = await runChecks(list, targets.context, { timeoutMs });
    const verdict = worstStatus(results.map((r) => r.status));
    if (format === 'json') io.out(JSON.stringify({ verdict, results }, null, 2));
    else if (format === 'junit') io.out((await import('./junit.ts')).resultsJunit(results));
    else io.out(`${resultsTable(results)}\n\nverdict: ${verdict}`);
    return EXIT[verdict];
  } finally {
    await targets.close();
  }
}
