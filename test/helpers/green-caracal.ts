// A whole green Caracal deployment on this machine: Caracal-shaped Postgres (a temp database), provisioned
// streams in a leased Redis database, and the simulated HTTP services, with the configuration that points at it.
import { activationBody, startFakeCaracal, type FakeCaracal } from '../../src/sandbox/fake-caracal.ts';
import { loadCaracalSchema } from '../fixtures/caracal-db.ts';
import { provisionCaracalStreams } from '../fixtures/caracal-redis.ts';
import { createTempDatabase, type TempDatabase } from './pg.ts';
import { leaseRedisDb, type LeasedRedis } from './redis.ts';

export const ZONE = '00000000-0000-4000-8000-000000000001';
export const POLICY_SET = '00000000-0000-4000-8000-0000000000a1';

/** Sentinel secrets: distinctive, so a leak into any output can be searched for. */
export const SENTINELS = {
  CARACAL_METRICS_BEARER: 'SENTINEL-metrics-bearer-7f3a91',
  CARACAL_ADMIN_TOKEN: 'SENTINEL-admin-token-2c8e44',
  CARACAL_API_READ_TOKEN: 'SENTINEL-api-read-token-6a0f13',
  CARACAL_COORDINATOR_TOKEN: 'SENTINEL-coordinator-token-9b1d07',
  CARACAL_AUDIT_ADMIN_TOKEN: 'SENTINEL-audit-admin-5e6f21',
  CARACAL_AUDIT_HMAC_KEY: 'SENTINEL0hmac0key0d4c3b2a1908f7e6d5c4b3a29180f7e6d5c4b3a2918',
} as const;

export interface GreenCaracal {
  fake: FakeCaracal;
  db: TempDatabase;
  redis: LeasedRedis;
  /** The YAML file's content, as an object. */
  file: Record<string, unknown>;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startGreenCaracal(opts: { gatewayPods?: number } = {}): Promise<GreenCaracal> {
  const db = await createTempDatabase('caracal');
  await loadCaracalSchema(db);
  const redis = await leaseRedisDb();
  const hosts = Array.from({ length: opts.gatewayPods ?? 2 }, (_, i) => `gateway-${i}`);
  await provisionCaracalStreams(redis.client, { gatewayHosts: hosts });
  const fake = await startFakeCaracal({
    pods: { gateway: hosts.length },
    tokens: {
      metricsBearer: SENTINELS.CARACAL_METRICS_BEARER,
      adminToken: SENTINELS.CARACAL_ADMIN_TOKEN,
      apiReadToken: SENTINELS.CARACAL_API_READ_TOKEN,
      coordinatorToken: SENTINELS.CARACAL_COORDINATOR_TOKEN,
      auditAdminToken: SENTINELS.CARACAL_AUDIT_ADMIN_TOKEN,
    },
  });
  for (const sts of fake.state.sts) sts.jwks[ZONE] = 2;
  fake.state.policySets[`${ZONE}/${POLICY_SET}`] = activationBody(ZONE, POLICY_SET);
  const file = {
    caracal: {
      postgres: { url: db.url, statementTimeoutMs: 2000 },
      redis: { url: redis.url },
      services: fake.urls,
      zones: [ZONE],
      policySets: [{ zoneId: ZONE, policySetId: POLICY_SET }],
    },
    checks: { defaultTimeoutMs: 3000, httpTimeoutMs: 2000 },
  };
  return {
    fake,
    db,
    redis,
    file,
    env: { ...SENTINELS },
    async close() {
      await fake.close();
      await redis.release();
      await db.drop();
    },
  };
}
