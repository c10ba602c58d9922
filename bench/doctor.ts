// The full check (every check of the registry, as `caracal-chatops check` runs them) during a Redis outage of the
// simulated Caracal, where Caracal's own diagnostics took 95 s (issue 19). As the real services do (caracal-ops.md
// §15.1.1), the API answers /ready and every /v1 route only after 8 s and the Coordinator everything but /health
// after 20 s (their Redis clients retry before the rate-limit hook gives up); Audit's /health is 503.
// With 1 and 50 zones, configured and discovered. Goal: the whole run within the check timeout + 1 s.
import { ALL_CHECKS } from '../src/checks/registry.ts';
import { createCheckTargets } from '../src/checks/context.ts';
import { runChecks } from '../src/checks/executor.ts';
import { configFromObject, timeoutFor } from '../src/config.ts';
import { startSimulatedCaracal } from '../src/sandbox/caracal/index.ts';
import { fakeAdmin } from '../src/sandbox/fake-caracal-admin.ts';
import { startFakeIngress } from '../src/sandbox/fake-ingress.ts';
import { closedPort } from '../test/helpers/faults.ts';
import { emit, type BenchRow } from './lib/stats.ts';

const API_DELAY_MS = 8_000;
const COORDINATOR_DELAY_MS = 20_000;
const zoneId = (i: number) => `be4c0000-0000-4000-8000-${i.toString().padStart(12, '0')}`;

// No Redis behind the sandbox's proxy: the deployment starts in the outage.
const sim = await startSimulatedCaracal({ redisUrl: `redis://127.0.0.1:${await closedPort()}`, syncIntervalMs: 0 });
const api = await startFakeIngress({ target: sim.fake.urls.api[0] });
api.delayFor = (path) => (path === '/ready' || path.startsWith('/v1/') ? API_DELAY_MS : 0);
const coordinator = await startFakeIngress({ target: sim.fake.urls.coordinator[0] });
coordinator.delayFor = (path) => (path === '/health' ? 0 : COORDINATOR_DELAY_MS);

async function fullCheck(zones: number, listed: boolean): Promise<{ ms: number; timeoutMs: number; failed: number; total: number }> {
  const ids = Array.from({ length: zones }, (_, i) => zoneId(i));
  fakeAdmin(sim.fake.state).zones = ids.map((id) => ({ id, name: id.slice(-4), resources: 1 }));
  for (const sts of sim.fake.state.sts) sts.jwks = Object.fromEntries(ids.map((id) => [id, 1]));
  const config = configFromObject(
    {
      caracal: {
        ...sim.file.caracal,
        services: { ...sim.file.caracal.services, api: [api.url], coordinator: [coordinator.url] },
        zones: listed ? ids : [],
        policySets: [],
      },
    },
    sim.env,
  );
  const targets = createCheckTargets(config);
  try {
    const started = performance.now();
    const results = await runChecks(ALL_CHECKS, targets.context, { timeoutMs: (id) => timeoutFor(config, id) });
    const ms = performance.now() - started;
    const timeoutMs = Math.max(...ALL_CHECKS.map((c) => timeoutFor(config, c.id)));
    return { ms, timeoutMs, failed: results.filter((r) => r.status !== 'pass').length, total: results.length };
  } finally {
    await targets.close();
  }
}

const rows: BenchRow[] = [];
try {
  await fullCheck(1, true); // warm: module loading and the first connections are not what is measured
  for (const zones of [1, 50]) {
    for (const listed of [true, false]) {
      const r = await fullCheck(zones, listed);
      const budget = r.timeoutMs + 1000;
      console.log(
        `${zones} zone(s) ${listed ? 'configured' : 'discovered'}: ${Math.round(r.ms)} ms, ${r.failed}/${r.total} checks not passing`,
      );
      rows.push({
        bench: `full check, Redis outage, ${zones} zone(s) ${listed ? 'configured' : 'discovered'}`,
        measured: `${(r.ms / 1000).toFixed(2)} s`,
        reference: `${(budget / 1000).toFixed(1)} s (check timeout + 1 s)`,
        ratio: r.ms / budget,
        goal: '≤ 1',
        ok: r.ms <= budget,
      });
    }
  }
} finally {
  await Promise.all([api.close(), coordinator.close()]);
  await sim.close();
}
emit(rows);
