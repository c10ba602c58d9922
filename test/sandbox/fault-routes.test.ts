import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultError, type FaultControl, type FaultInfo } from '../../src/sandbox/caracal/index.ts';
import { mountFaultRoutes } from '../../src/sandbox/fault-routes.ts';
import { startSandboxSlack, type SandboxSlack } from '../../src/sandbox/slack/server.ts';

const info = (id: string, active: boolean): FaultInfo => ({
  id,
  title: id,
  drill: 'redis-outage',
  injects: 'i',
  clears: 'c',
  shows: [],
  requiresRedis: false,
  available: true,
  active,
});

/** A fault catalog of two entries kept in memory: what the routes must do with it is the subject here. */
function memoryFaults(): FaultControl & { calls: string[] } {
  const active = new Set<string>();
  const calls: string[] = [];
  const known = (id: string) => {
    if (id !== 'a' && id !== 'b') throw new FaultError(`unknown fault "${id}"`);
  };
  return {
    calls,
    list: () => ['a', 'b'].map((id) => info(id, active.has(id))),
    inject: (id) =>
      Promise.resolve().then(() => {
        known(id);
        calls.push(`inject ${id}`);
        active.add(id);
      }),
    clear: (id) =>
      Promise.resolve().then(() => {
        known(id);
        calls.push(`clear ${id}`);
        active.delete(id);
      }),
    active: () => [...active],
    sync: () => Promise.resolve(),
    idle: () => Promise.resolve(),
  };
}

const TOKEN = 't'.repeat(32);
const post = { method: 'POST', headers: { 'x-sandbox-token': TOKEN } };

describe('fault routes', () => {
  let slack: SandboxSlack;
  const faults = memoryFaults();
  beforeAll(async () => {
    slack = await startSandboxSlack({ botToken: 'xoxb-t', signingSecret: 's' });
    mountFaultRoutes(slack, { faults, redisProblem: 'connect ECONNREFUSED', postgresKind: 'pglite', token: TOKEN });
  });
  afterAll(() => slack.close());

  it('lists the catalog with where Postgres and Redis stand', async () => {
    const body = (await (await fetch(`${slack.url}/sandbox/faults`)).json()) as { faults: FaultInfo[]; redis: string; postgres: string };
    expect(body.faults.map((f) => f.id)).toEqual(['a', 'b']);
    expect(body.redis).toBe('down: connect ECONNREFUSED');
    expect(body.postgres).toBe('embedded PGlite');
  });

  it('injects and clears, answering with the new state', async () => {
    const injected = (await (await fetch(`${slack.url}/sandbox/faults/b/inject`, post)).json()) as { faults: FaultInfo[] };
    expect(injected.faults.find((f) => f.id === 'b')?.active).toBe(true);
    const cleared = (await (await fetch(`${slack.url}/sandbox/faults/b/clear`, post)).json()) as { faults: FaultInfo[] };
    expect(cleared.faults.find((f) => f.id === 'b')?.active).toBe(false);
    expect(faults.calls).toEqual(['inject b', 'clear b']);
  });

  it('answers an unknown fault with 400 and its message, and an unknown verb with 404', async () => {
    const res = await fetch(`${slack.url}/sandbox/faults/zzz/inject`, post);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain('unknown fault "zzz"');
    expect((await fetch(`${slack.url}/sandbox/faults/a/explode`, post)).status).toBe(404);
  });

  it('refuses a POST without the token, changing nothing', async () => {
    const res = await fetch(`${slack.url}/sandbox/faults/a/inject`, { method: 'POST' });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toContain('x-sandbox-token');
    expect(faults.active()).toEqual([]);
  });

  it('serves the fault panel as the page extension module', async () => {
    const res = await fetch(`${slack.url}/sandbox/ext.js`);
    expect(res.headers.get('content-type')).toContain('text/javascript');
    expect(await res.text()).toContain('/sandbox/faults');
  });
});
