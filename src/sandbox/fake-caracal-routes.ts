// What each simulated service answers, route by route, written from the fact sheet (caracal-ops.md §1-§8, §14,
// §15), not from the bot's checks. Each service is a list of routes plus the hooks Caracal runs before routing
// (rate limits kept in Redis, the Coordinator's auth), so adding a route is adding one entry.
// One file per service: fake-caracal-{sts,gateway,audit,api,coordinator}-routes.ts, on fake-caracal-route-kit.ts.
import type { ServiceName } from '../config.ts';
import { apiService } from './fake-caracal-api-routes.ts';
import { auditService } from './fake-caracal-audit-routes.ts';
import { coordinatorService } from './fake-caracal-coordinator-routes.ts';
import { gatewayService } from './fake-caracal-gateway-routes.ts';
import type { PodEnv, ServiceDef } from './fake-caracal-route-kit.ts';
import type { FakeCaracalState } from './fake-caracal-state.ts';
import { stsService } from './fake-caracal-sts-routes.ts';

export type { PodEnv, Reply, RouteContext, RouteDef, ServiceDef } from './fake-caracal-route-kit.ts';

export const SERVICE_DEFS: { [K in ServiceName]: (env: PodEnv, pod: FakeCaracalState[K][number]) => ServiceDef } = {
  sts: stsService,
  gateway: gatewayService,
  audit: auditService,
  api: apiService,
  coordinator: coordinatorService,
};
