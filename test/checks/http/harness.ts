// One fake Caracal deployment plus a check context pointed at it, through the real config parser and executor.
import { buildContext, runOne } from '../../helpers/check-context.ts';
import type { CheckDefinition } from '../../../src/checks/types.ts';
import type { CheckResult } from '../../../src/domain/check-result.ts';
import type { CheckContext } from '../../../src/checks/types.ts';
import {
  FAKE_ADMIN_TOKEN,
  FAKE_API_READ_TOKEN,
  FAKE_AUDIT_ADMIN_TOKEN,
  FAKE_COORDINATOR_TOKEN,
  FAKE_METRICS_BEARER,
  startFakeCaracal,
  type FakeCaracal,
  type FakeCaracalOptions,
} from '../../../src/sandbox/fake-caracal.ts';

export const TOKENS_ENV = {
  CARACAL_METRICS_BEARER: FAKE_METRICS_BEARER,
  CARACAL_ADMIN_TOKEN: FAKE_ADMIN_TOKEN,
  CARACAL_API_READ_TOKEN: FAKE_API_READ_TOKEN,
  CARACAL_COORDINATOR_TOKEN: FAKE_COORDINATOR_TOKEN,
  CARACAL_AUDIT_ADMIN_TOKEN: FAKE_AUDIT_ADMIN_TOKEN,
};

export interface Harness {
  fake: FakeCaracal;
  ctx: CheckContext;
  /** Set the clock the checks see (baselines, ages); defaults to the real clock. */
  setNow: (ms: number) => void;
  run: (check: CheckDefinition, timeoutMs?: number) => Promise<CheckResult>;
  close: () => Promise<void>;
}

export interface HarnessOptions extends FakeCaracalOptions {
  /** Merged into `caracal` of the config file; `services` entries replace the fake's URLs for those services. */
  caracal?: Record<string, unknown> & { services?: Record<string, string[]> };
  thresholds?: Record<string, unknown>;
  httpTimeoutMs?: number;
  /** API and Coordinator /ready's own wait (checks.readyAnswerTimeoutMs); 3 s here, within run's 5 s. */
  readyAnswerTimeoutMs?: number;
  env?: Record<string, string>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  let now: number | undefined;
  const fake = await startFakeCaracal(opts);
  const t = buildContext(
    {
      caracal: { ...opts.caracal, services: { ...fake.urls, ...opts.caracal?.services } },
      ...(opts.thresholds ? { thresholds: opts.thresholds } : {}),
      checks: { httpTimeoutMs: opts.httpTimeoutMs ?? 1000, readyAnswerTimeoutMs: opts.readyAnswerTimeoutMs ?? 3000 },
    },
    opts.env ?? TOKENS_ENV,
    { now: () => new Date(now ?? Date.now()) },
  );
  return {
    fake,
    ctx: t.ctx,
    setNow: (ms) => void (now = ms),
    run: (check, timeoutMs = 5000) => runOne(check, t.ctx, timeoutMs),
    close: async () => {
      await fake.close();
      await t.close();
    },
  };
}

/** Everything a person would read in a result, to look for leaked secrets or expected words. */
export function allText(r: CheckResult): string {
  return [r.summary, ...r.evidence, r.remedy ?? '', JSON.stringify(r.metrics)].join('\n');
}
