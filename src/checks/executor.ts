// Runs checks in parallel, each under its own timeout, and never lets one escape:
// a target that is down or silent is `fail`; a bug in a checker is `error` (shown as a failure).
import { TargetError } from '../errors.ts';
import { scrubber } from '../redact.ts';
import { redactResult } from './redact.ts';
import type { CheckContext, CheckDefinition, CheckOutcome } from './types.ts';
import type { CheckResult } from '../domain/check-result.ts';

export interface RunOptions {
  timeoutMs: (checkId: string) => number;
  /** Called as each check finishes, so a report can fill in as results arrive. */
  onResult?: (result: CheckResult) => void;
}

class CheckTimeout extends Error {
  override name = 'CheckTimeout';
}

function outcomeFromThrown(err: unknown, timeoutMs: number): CheckOutcome | { error: Error } {
  if (err instanceof CheckTimeout) {
    return { status: 'fail', summary: `No answer within ${timeoutMs} ms: the target is unreachable or stalled.` };
  }
  if (err instanceof TargetError) return { status: 'fail', summary: err.message };
  return { error: err instanceof Error ? err : new Error(String(err)) };
}

async function runOne(check: CheckDefinition, ctx: CheckContext, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new CheckTimeout());
      reject(new CheckTimeout());
    }, timeoutMs);
  });
  let outcome: CheckOutcome | { error: Error };
  try {
    // The checker may ignore the signal; the race still answers on time.
    outcome = await Promise.race([check.run(ctx, controller.signal), deadline]);
  } catch (err) {
    outcome = outcomeFromThrown(err, timeoutMs);
  } finally {
    clearTimeout(timer);
  }
  const base = {
    id: check.id,
    title: check.title,
    gates: check.gates,
    durationMs: Math.round(performance.now() - started),
    finishedAt: ctx.now().toISOString(),
  };
  if ('error' in outcome) {
    return {
      ...base,
      status: 'error',
      summary: `The checker itself failed (${outcome.error.name}): this is a bug in caracal-chatops, not a verdict on Caracal.`,
      metrics: {},
      evidence: [],
      remedy: 'Treat the target as unchecked. Run `caracal-chatops check` or check it by hand, and report the bug.',
      matrix: [],
      error: { name: outcome.error.name, message: outcome.error.message },
    };
  }
  return {
    ...base,
    status: outcome.status,
    summary: outcome.summary,
    metrics: outcome.metrics ?? {},
    evidence: outcome.evidence ?? [],
    remedy: outcome.remedy,
    matrix: outcome.matrix ?? [],
    ...(outcome.findings && outcome.findings.length > 0 ? { findings: outcome.findings } : {}),
  };
}

export async function runChecks(checks: readonly CheckDefinition[], ctx: CheckContext, options: RunOptions): Promise<CheckResult[]> {
  const scrub = scrubber(Object.values(ctx.secrets));
  const settled = await Promise.allSettled(
    checks.map(async (check) => {
      const result = redactResult(await runOne(check, ctx, options.timeoutMs(check.id)), scrub);
      try {
        options.onResult?.(result);
      } catch {
        // A listener's failure must not turn a finished check into a lost one.
      }
      return result;
    }),
  );
  // runOne cannot reject; allSettled keeps that promise even if it ever did.
  return settled.map((s, i) =>
    s.status === 'fulfilled'
      ? s.value
      : {
          id: checks[i].id,
          title: checks[i].title,
          gates: checks[i].gates,
          status: 'error' as const,
          summary: 'The check could not be run.',
          metrics: {},
          evidence: [],
          remedy: undefined,
          matrix: [],
          durationMs: 0,
          finishedAt: ctx.now().toISOString(),
          error: { name: 'Error', message: String(s.reason) },
        },
  );
}
