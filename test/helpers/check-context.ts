// A CheckContext for tests: real clients built the way the app builds them, with overridable parts.
import { parseConfig, type Config } from '../../src/config.ts';
import { createCheckTargets } from '../../src/checks/context.ts';
import type { CheckContext, CheckDefinition, CheckOutcome } from '../../src/checks/types.ts';
import { runChecks } from '../../src/checks/executor.ts';
import type { CheckResult } from '../../src/domain/check-result.ts';

/** Build a Config from a plain object (the YAML's shape) and an env of secrets. */
export function testConfig(file: Record<string, unknown> = {}, env: Record<string, string> = {}): Config {
  return parseConfig(JSON.stringify(file), env);
}

export interface TestContext {
  ctx: CheckContext;
  config: Config;
  close: () => Promise<void>;
}

export function buildContext(
  file: Record<string, unknown> = {},
  env: Record<string, string> = {},
  opts: { now?: () => Date } = {},
): TestContext {
  const config = testConfig(file, env);
  const targets = createCheckTargets(config, opts.now ? { now: opts.now } : {});
  return { ctx: targets.context, config, close: () => targets.close() };
}

/** Run one check through the real executor (timeouts and error classification included). */
export async function runOne(check: CheckDefinition, ctx: CheckContext, timeoutMs = 5000): Promise<CheckResult> {
  const [result] = await runChecks([check], ctx, { timeoutMs: () => timeoutMs });
  return result;
}

export type { CheckOutcome };
