// Faults of the safety signals: policy that STS has not loaded or could not compile, a provider credential that no
// longer refreshes, revocations that reach a Gateway late (caracal-ops.md §6, §7.1, §10.1 drills 4-7).
import { randomUUID } from 'node:crypto';
import { resetTransaction } from '../../checks/postgres/outbox-reset-sql.ts';
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
      ? activationBody(zoneId, policySetId, {
          ...activated,
          propagation_status: 'waiting_for_sts',
          sts: { ...stsLoaded, state: 'not_loaded' },
        })
      : activationBody(zoneId, policySetId);
}

/** The activation event the dead-activation fault writes, marked so clearing and resetting find only it. */
const ACTIVATION_MARK = 'sandbox-dead-activation';

/**
 * What the API reports for an activation whose event sits in event_outbox (§15.1.6): its state is read from the
 * row, and a dead row (available_at infinity) still shows as pending, because Caracal v1.0 compares the driver's
 * number Infinity with the string 'infinity'. Once the row is dispatched, STS loads the version.
 */
export async function deriveActivation(sim: Sim): Promise<void> {
  if (!sim.memory.policy.viaOutbox) return;
  const { zoneId, policySetId } = sim.ids;
  const [row] = await sim.postgres.query<{ id: string; attempts: number; last_error: string | null; dispatched_at: Date | null }>(
    `SELECT id, attempts, last_error, dispatched_at FROM public.event_outbox
     WHERE stream_name = 'caracal.policy.invalidate' AND payload_json @> $1::jsonb ORDER BY created_at DESC LIMIT 1`,
    [JSON.stringify({ zone_id: zoneId, policy_set_id: policySetId, policy_set_version_id: 'ver-3' })],
  );
  const activated = { version_id: 'ver-3', active_version_id: 'ver-3', manifest_sha256: SHA('cd') };
  const key = `${zoneId}/${policySetId}`;
  if (row?.dispatched_at) {
    sim.fake.state.policySets[key] = activationBody(zoneId, policySetId, {
      ...activated,
      outbox: { id: row.id, state: 'dispatched', attempts: row.attempts, last_error: null, dispatched_at: row.dispatched_at.toISOString() },
      sts: { state: 'loaded', loaded: true, policy_set_version_id: 'ver-3', manifest_sha256: SHA('cd') },
    });
    // Published and loaded: the deployment runs ver-3 from now on, as after a real recovery.
    sim.memory.policy.viaOutbox = false;
    return;
  }
  sim.fake.state.policySets[key] = activationBody(zoneId, policySetId, {
    ...activated,
    propagation_status: row ? 'waiting_for_outbox' : 'failed',
    outbox: row
      ? { id: row.id, state: 'pending', attempts: row.attempts, last_error: row.last_error, dispatched_at: null }
      : { id: null, state: 'missing', attempts: 0, last_error: null, dispatched_at: null },
    sts: { state: 'loaded', loaded: true, policy_set_version_id: 'ver-2', manifest_sha256: SHA('ab') },
  });
}

export const deadActivationEvent: FaultDef = {
  id: 'dead_activation_event',
  title: 'Policy activation event dead in the API outbox',
  drill: 'stale-policy',
  injects:
    'Activates ver-3 while Redis was failing long enough for its caracal.policy.invalidate event to die in event_outbox ' +
    '(100 attempts); the API still reports the event as pending, as Caracal v1.0 does.',
  clears: "A DBA runs the bot's break-glass SQL transaction on the dead row; the API publishes it and STS loads ver-3.",
  requiresRedis: false,
  shows: [
    { check: 'sts.policy', status: 'fail', contains: ['not loaded (outbox_dead)', 'outbox.state=pending attempts=100'] },
    { check: 'outbox.api', status: 'fail', contains: ['1 dead row in event_outbox'] },
    { check: 'services.ready', status: 'fail', contains: ['error=outbox_dead_messages deadCount=1'] },
  ],
  async apply(sim) {
    const { zoneId, policySetId } = sim.ids;
    await sim.postgres.query(
      `INSERT INTO public.event_outbox (id, stream_name, payload_json, attempts, available_at, last_error, request_id, created_at)
       VALUES ($1, 'caracal.policy.invalidate', $2::jsonb, 100, 'infinity', 'XADD: connect ECONNREFUSED', $3, now() - interval '2 hours')`,
      [randomUUID(), JSON.stringify({ zone_id: zoneId, policy_set_id: policySetId, policy_set_version_id: 'ver-3' }), ACTIVATION_MARK],
    );
    sim.memory.policy.viaOutbox = true;
    await deriveActivation(sim);
  },
  async revert(sim) {
    const dead = await sim.postgres.query<{ id: string }>(`SELECT id FROM public.event_outbox
      WHERE request_id = '${ACTIVATION_MARK}' AND dispatched_at IS NULL AND available_at = 'infinity'`);
    if (dead.length > 0) await sim.postgres.query(resetTransaction(dead.map((r) => r.id)).join('\n'));
  },
  async resolved(sim) {
    const [row] = await sim.postgres.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.event_outbox
      WHERE request_id = '${ACTIVATION_MARK}' AND dispatched_at IS NULL`);
    return Number(row?.n ?? 1) === 0;
  },
  async reset(sim) {
    await sim.postgres.query(`DELETE FROM public.event_outbox WHERE request_id = '${ACTIVATION_MARK}'`);
  },
};

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
  shows: [
    {
      check: 'sts.policy',
      status: 'fail',
      contains: ['compile_rejected', 'propagation_status=waiting_for_sts', 'sts.state=loaded on ver-2', 'opa.compile_errors=1'],
    },
  ],
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
    'The brokered credential of one provider stops refreshing: STS /metrics.json counts refresh errors and an open ' +
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
  shows: [{ check: 'redis.backlog', status: 'warn', contains: [`gateway-revocation:${lagHost} oldest pending entry idle`] }],
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
