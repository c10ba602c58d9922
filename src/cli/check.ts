// `caracal-chatops check`: the same checks as `/caracal status`, for a terminal (Slack may be down too).
import { parseArgs } from 'node:util';
import { createCheckTargets } from '../checks/context.ts';
import { runChecks, worstStatus } from '../checks/executor.ts';
import { ALL_CHECKS } from '../checks/registry.ts';
import type { CheckDefinition } from '../checks/types.ts';
import { loadConfig, timeoutFor } from '../config.ts';
import { ConfigError } from '../errors.ts';
import { resultsTable } from './table.ts';
import { auditChainDeep } from '../audit/deep-check.ts';

/** About 40k rows/s here: an hour covers tens of millions of audit rows. */
const DEEP_TIMEOUT_MS = 60 * 60_000;

export const EXIT = { pass: 0, warn: 1, fail: 2 } as const;

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
}

export async function checkCommand(argv: string[], io: CliIo, checks: readonly CheckDefinition[] = ALL_CHECKS): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean', default: false },
      deep: { type: 'boolean', default: false },
      config: { type: 'string' },
      'helm-values': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    io.out(
      'usage: caracal-chatops check [--json] [--deep] [--config FILE] [--helm-values FILE]\n' +
        '--deep also recomputes every zone\'s audit chain over audit_events\n' +
        '--helm-values reads the deployment\'s Helm values for the settings preflight (mode, key lengths)\n' +
        'exit code: 0 pass, 1 warn, 2 fail',
    );
    return 0;
  }
  let config;
  try {
    config = loadConfig(io.env, values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(err.message);
      return EXIT.fail;
    }
    throw err;
  }
  const helmValues = values['helm-values'];
  if (helmValues) config = { ...config, caracal: { ...config.caracal, preflight: { ...config.caracal.preflight, helmValues } } };
  const targets = createCheckTargets(config);
  try {
    // The deep chain walk reads every audit row: it gets its own, much longer, timeout unless one is configured.
    const list = values.deep ? [...checks, auditChainDeep] : checks;
    const timeoutMs = (id: string) => (id === auditChainDeep.id && !config.checks.timeouts[id] ? DEEP_TIMEOUT_MS : timeoutFor(config, id));
    const results = await runChecks(list, targets.context, { timeoutMs });
    const verdict = worstStatus(results.map((r) => r.status));
    io.out(values.json ? JSON.stringify({ verdict, results }, null, 2) : `${resultsTable(results)}\n\nverdict: ${verdict}`);
    return EXIT[verdict];
  } finally {
    await targets.close();
  }
}
