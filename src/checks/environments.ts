// One check context per Caracal environment (config `environments`): each has its own targets and secrets, built on
// first use and closed with the app. The default environment's context is the one the app was given.
import { environmentConfig, environmentNames, type Config } from '../config.ts';
import { UserFacingError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { createCheckTargets, type CheckTargets } from './context.ts';
import type { BaselineStore, CheckContext } from './types.ts';

/** Counters remembered per environment: two deployments' tamper counters never mix. */
function prefixed(store: BaselineStore, environment: string): BaselineStore {
  return {
    get: (key) => store.get(`${environment}:${key}`),
    set: (key, value, at) => store.set(`${environment}:${key}`, value, at),
  };
}

export interface EnvironmentContexts {
  /** undefined: the default environment. An environment no longer configured is refused, never checked elsewhere. */
  contextFor(environment: string | undefined): CheckContext;
  /** The environment a context belongs to (also for a copy of its context, such as a recovery run's). */
  nameOf(context: CheckContext): string;
  close(): Promise<void>;
}

export function createEnvironmentContexts(config: Config, base: CheckContext, logger?: Logger): EnvironmentContexts {
  const built = new Map<string, CheckTargets>();
  const known = new Set(environmentNames(config));
  return {
    contextFor(environment) {
      if (environment === undefined || environment === config.defaultEnvironment) return base;
      if (!known.has(environment)) {
        throw new UserFacingError(
          'not_found',
          `The environment "${environment}" is not in the configuration (known: ${[...known].join(', ')}).`,
        );
      }
      let targets = built.get(environment);
      if (!targets) {
        targets = createCheckTargets(environmentConfig(config, environment), {
          ...(logger ? { logger: logger.child({ environment }) } : {}),
          baselines: prefixed(base.baselines, environment),
          now: base.now,
        });
        built.set(environment, targets);
      }
      return targets.context;
    },
    nameOf(context) {
      // Each environment has its own baseline store, and copies of its context (a run's incident scope) keep it.
      for (const [name, targets] of built) if (targets.context.baselines === context.baselines) return name;
      return config.defaultEnvironment;
    },
    async close() {
      await Promise.allSettled([...built.values()].map((t) => t.close()));
      built.clear();
    },
  };
}
