import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_METRICS_BEARER, startFakeCaracal, type FakeCaracal } from '../../../src/sandbox/fake-caracal.ts';

// Every metric name an alert expression of Caracal's PrometheusRule reads.
const ALERT_METRICS: Record<string, string[]> = {
  sts: [
    'caracal_sts_opa_compile_errors_total',
    'caracal_sts_opa_max_policy_age_seconds',
    'caracal_sts_provider_refresh_errors_total',
    'caracal_sts_provider_circuit_open_total',
    'caracal_sts_audit_replay_oldest_age_seconds',
    'caracal_sts_audit_dropped_total',
  ],
  gateway: [
    'caracal_gateway_audit_replay_oldest_age_seconds',
    'caracal_gateway_audit_dropped_total',
    'caracal_gateway_sts_exchange_errors_total',
    'caracal_gateway_sts_circuit_open',
    'caracal_gateway_revocation_snapshot_fresh',
    'caracal_gateway_revocation_propagation_seconds',
    'caracal_gateway_revocation_reload_errors_total',
    'caracal_db_pool_in_use_ratio',
  ],
  audit: [
    'caracal_audit_dlq_size',
    'caracal_audit_consumer_lag',
    'caracal_audit_tamper_mismatch_total',
    'caracal_audit_tamper_chain_breaks_total',
    'caracal_audit_tamper_hmac_failures_total',
  ],
  api: ['caracal_api_outbox_dead_total', 'caracal_api_outbox_oldest_pending_age_seconds'],
  coordinator: ['kube_pod_container_status_ready'],
};

describe("the simulated services' Prometheus /metrics", () => {
  let fake: FakeCaracal;
  beforeAll(async () => {
    fake = await startFakeCaracal();
  });
  afterAll(async () => {
    await fake.close();
  });
  const scrape = async (service: keyof FakeCaracal['urls'], bearer: string | null = FAKE_METRICS_BEARER) =>
    fetch(`${fake.urls[service][0]}/metrics`, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
  const value = (text: string, name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);

  it.each(Object.entries(ALERT_METRICS))('%s exports the metric names the alert expressions use', async (service, names) => {
    const text = await (await scrape(service as keyof FakeCaracal['urls'])).text();
    for (const name of [...names, 'kube_pod_container_status_ready']) expect(text, name).toMatch(new RegExp(`^${name}(\\{| )`, 'm'));
  });

  it('needs the metrics bearer, like Caracal', async () => {
    expect((await scrape('audit', null)).status).toBe(401);
    expect((await scrape('api', 'wrong')).status).toBe(401);
  });

  it("moves with the simulated state and with a fault's transform of /metrics.json", async () => {
    fake.state.audit[0].dlqSize = 7;
    expect(value(await (await scrape('audit')).text(), 'caracal_audit_dlq_size')).toBe(7);
    fake.state.gateway[0].transform = (path, body) =>
      path === '/metrics.json' ? { ...(body as object), revocation_propagation_seconds: 150 } : body;
    expect(value(await (await scrape('gateway')).text(), 'caracal_gateway_revocation_propagation_seconds')).toBe(150);
    fake.state.deployment.postgresDown = true;
    const text = await (await scrape('gateway')).text();
    expect(text.match(/^caracal_db_pool_in_use_ratio\{/gm)).toHaveLength(1); // the Gateway's own gauge, not a second one
    expect(value(text, 'kube_pod_container_status_ready')).toBe(1); // the Gateway stays ready on a short Postgres outage
    expect(value(await (await scrape('api')).text(), 'kube_pod_container_status_ready')).toBe(0);
  });
});
