// Faults of the safety signals: policy that STS has not loaded or could not compile, a provider credential that no
// longer refreshes, revocations that reach a Gateway late (caracal-ops.md §6, §7.1, §10.1 drills 4-7).
import { activationBody } from '../fake-caracal.ts';
import type { FaultDef } from './fault-types.ts';
import { GATEWAY_HOSTS } from './redis.ts';
import { redisClient, rememberEntries, takeEntries, type Sim } from './sim.ts';
import { addPending, gatewayGroup } from './streams.ts';

const SHA = (c: string) => c.repeat(64);

/**
 * The activation-status body (§7.1) that follows from the policy faults. A compile failure keeps the previous
 * bundle, so STS reports ver-2 loaded while ver-3 is active: waiting_for_sts, not failed (§15.2.6).
 */
function applyPolicy(sim: Sim): void {
  const { zoneId, policySetId } = sim.ids;
  const { unloaded, compileFailed } = sim.memory.policy;
  const stsLoaded = { state: 'loaded', policy_set_version_id: 'ver-2', manifest_sha256: SHA('ab') };
  const activated = { version_id: 'ver-3', active_version_id: 'ver-3', manifest_sha256: SHA('cd') };
  sim.fake.state.policySets[`${zoneId}/${policySetId}`] = compileFailed
    ? activationBody(zoneId, policySetId, { ...activated, propagation_status: 'waiting_for_sts', sts: { ...stsLoaded, loaded: true } })
    : unloaded
      ? activationBody(zoneId, policySetId, { ...activated, propagation_status: 'waiting_for_sts', sts: { ...stsLoaded, state: 'not_loaded' } })
      : activationBody(zoneId, policySetId);
}

export const unloadedPolicy: FaultDef = {
  id: 'unloaded_policy',
  title: 'Activated policy not loaded by STS',
  drill: 'stale-policy',
  injects: 'Activates version ver-3 of the policy set while policy distribution is paused: STS still runs ver-2.',
  clears: 'Distribution resumes and STS loads the active version.',
  requiresRedis: false,
  shows: [{ check: 'sts.policy', status: 'fail', contains: ['propagation_status=waiting_for_sts', 'sts.state=not_loaded'] }],
  apply(sim) {
    sim.memory.policy.unloaded = true;
    applyPolicy(sim);
    return Promise.resolve();
  },
  revert(sim) {
    sim.memory.policy.unloaded = false;
    applyPolicy(sim);
    return Promise.resolve();
  },
};

export const badPolicyActivation: FaultDef = {
  id: 'bad_policy_activation',
  title: 'Bad policy activation (compile error)',
  drill: 'bad-policy',
  injects: 'Activates a policy version whose Rego does not compile: every STS pod counts a compile error and keeps ver-2.',
  clears: 'Activates the last known-good version and restarts STS, whose compile-error counter then starts from zero.',
  requiresRedis: false,
  shows: [{ check: 'sts.policy', status: 'fail', contains: ['compile_rejected', 'propagation_status=waiting_for_sts', 'sts.state=loaded on ver-2', 'opa.compile_errors=1'] }],
  apply(sim) {
    sim.memory.policy.compileFailed = true;
    for (const pod of sim.fake.state.sts) pod.compileErrors += 1;
    applyPolicy(sim);
    return Promise.resolve();
  },
  revert(sim) {
    sim.memory.policy.compileFailed = false;
    for (const pod of sim.fake.state.sts) pod.compileErrors = 0;
    applyPolicy(sim);
    return Promise.resolve();
  },
};

/** A brokered provider in the sandbox zone: the Redis keys STS keeps its refresh circuit under (§10.1 drill 6). */
const PROVIDER_ID = '9d1f7c2e-0000-4000-8000-0000000000b1';
const PROVIDER_KEYS = [`provider-refresh-failures:${PROVIDER_ID}`, `provider-refresh-circuit:${PROVIDER_ID}`];

export const providerRefreshFailure: FaultDef = {
  id: 'provider_refresh_failure',
  title: 'Provider credential refresh failure',
  drill: 'provider-refresh',
  injects:
    "The brokered credential of one provider stops refreshing: STS /metrics.json counts refresh errors and an open " +
    'circuit, and the circuit keys appear in Redis.',
  clears: 'The credential is restored: refreshes succeed and the circuit closes.',
  requiresRedis: false,
  // None of the checks reads provider refresh state: the drill is detected by the STS metrics and alerts only.
  shows: [],
  async apply(sim) {
    for (const pod of sim.fake.state.sts) {
      pod.transform = (path, body) =>
        path === '/metrics.json' && typeof body === 'object' && body !== null && 'sts' in body
          ? { ...body, sts: { ...(body.sts as object), provider_refresh_errors: 12, provider_circuit_open: 1 } }
          : body;
    }
    if (sim.redis.client && !sim.proxies.redis.isDown()) {
      await sim.redis.client.set(PROVIDER_KEYS[0], '12', 'EX', 3600);
      await sim.redis.client.set(PROVIDER_KEYS[1], 'open', 'EX', 60);
    }
  },
  async revert(sim) {
    for (const pod of sim.fake.state.sts) delete pod.transform;
    if (sim.redis.client) await sim.redis.client.del(...PROVIDER_KEYS);
  },
};

const lagHost = GATEWAY_HOSTS[0];

export const revocationPropagationLag: FaultDef = {
  id: 'revocation_propagation_lag',
  title: 'Revocation propagation lag',
  drill: 'revocation-lag',
  injects:
    `Five session revocations reach ${lagHost}'s group on caracal.sessions.revoke but its consumer stalls on them: ` +
    'they sit unacknowledged for 150 s, and the pod reports a propagation lag of 150 s.',
  clears: 'The consumer catches up and acknowledges them.',
  requiresRedis: true,
  shows: [{ check: 'redis.streams', status: 'warn', contains: [`gateway-revocation:${lagHost} oldest pending entry idle`] }],
  async apply(sim) {
    const spec = gatewayGroup(lagHost);
    const ids = await addPending(redisClient(sim), spec, 5, { idleMs: 150_000 });
    rememberEntries(sim, 'revocation_propagation_lag', { stream: spec.stream, ids, ackGroup: spec.group });
    const [pod] = sim.fake.state.gateway;
    if (pod) {
      pod.transform = (path, body) =>
        path === '/metrics.json' && typeof body === 'object' && body !== null ? { ...body, revocation_propagation_seconds: 150 } : body;
    }
  },
  async revert(sim) {
    for (const { stream, ids, ackGroup } of takeEntries(sim, 'revocation_propagation_lag')) {
      if (ackGroup && ids.length > 0 && sim.redis.client) await sim.redis.client.xack(stream, ackGroup, ...ids);
    }
    const [pod] = sim.fake.state.gateway;
    if (pod) delete pod.transform;
  },
};
