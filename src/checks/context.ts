// Builds the clients the checks read through, from the configuration. Nothing is connected until first use.
import * as dns from 'node:dns/promises';
import { DISCOVERED_SERVICES, secretValues, type Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { memoryBaselines } from './baselines.ts';
import { createEndpointSliceLister, type EndpointSliceLister } from './discovery/endpoint-slices.ts';
import { createPodDiscovery, type Resolver } from './discovery/pods.ts';
import { createHttpTarget } from './targets/http.ts';
import { createCallBudget, type CallBudget } from './targets/call-budget.ts';
import { scrubber } from '../redact.ts';
import { createPostgresTarget } from './targets/postgres.ts';
import { createRedisTarget } from './targets/redis.ts';
import type { BaselineStore, CheckContext } from './types.ts';

export interface CheckTargets {
  context: CheckContext;
  close(): Promise<void>;
}

/** The bot's count of its calls to one Caracal deployment, with the configured limits. */
export function configuredCallBudget(config: Config, now: () => Date): CallBudget {
  return createCallBudget({
    readyPerMinute: config.limits.readyPerMinute,
    coordinatorPerMinute: config.limits.coordinatorPerMinute,
    coordinatorBases: config.caracal.services.coordinator,
    now,
  });
}

export function createCheckTargets(
  config: Config,
  deps: {
    logger?: Logger;
    now?: () => Date;
    baselines?: BaselineStore;
    fetch?: typeof fetch;
    resolver?: Resolver;
    endpointSlices?: EndpointSliceLister;
  } = {},
): CheckTargets {
  const pgConfig = config.caracal.postgres;
  const postgres = pgConfig.url
    ? createPostgresTarget({
        url: pgConfig.url,
        password: config.secrets.postgresPassword,
        statementTimeoutMs: pgConfig.statementTimeoutMs,
        ssl: pgConfig.ssl,
        ...(deps.logger ? { logger: deps.logger } : {}),
      })
    : undefined;
  const redis = config.caracal.redis.url
    ? createRedisTarget({
        url: config.caracal.redis.url,
        password: config.secrets.redisPassword,
        caFile: config.caracal.redis.caFile,
        connectTimeoutMs: config.checks.httpTimeoutMs,
        ...(deps.logger ? { logger: deps.logger } : {}),
      })
    : undefined;
  const now = deps.now ?? (() => new Date());
  const budget = configuredCallBudget(config, now);
  const discovery = config.caracal.discovery;
  const usesSlices = DISCOVERED_SERVICES.some((s) => discovery[s].mode === 'endpointslice');
  const endpointSlices =
    deps.endpointSlices ??
    (usesSlices ? createEndpointSliceLister(discovery.kubernetes, { timeoutMs: config.checks.httpTimeoutMs }) : undefined);
  const context: CheckContext = {
    caracal: config.caracal,
    thresholds: config.thresholds,
    secrets: config.secrets,
    postgres,
    redis,
    http: createHttpTarget({
      timeoutMs: config.checks.httpTimeoutMs,
      budget,
      scrub: scrubber(secretValues(config)),
      ...(deps.fetch ? { fetch: deps.fetch } : {}),
    }),
    discovery: createPodDiscovery(config.caracal, { resolver: deps.resolver ?? dns, ...(endpointSlices ? { endpointSlices } : {}) }),
    baselines: deps.baselines ?? memoryBaselines(),
    now,
    readyAnswerTimeoutMs: config.checks.readyAnswerTimeoutMs,
  };
  return {
    context,
    close: async () => {
      await Promise.allSettled([postgres?.end(), redis?.end()]);
    },
  };
}
