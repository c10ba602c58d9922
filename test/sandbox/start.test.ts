// What `npm start` serves, told truthfully and guarded: every printed URL answers, the bot listens on loopback only,
// foreign Host and Origin headers are refused, fault POSTs need the per-start token, the sidebar's state follows
// injected outages, the CLI config is written 0600, and a second sandbox never takes the first one's Redis database.
// On a redis-server of its own, so that the databases it fills or probes are nobody else's.
import { request } from 'node:http';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCK_KEY, SandboxBusyError } from '../../src/sandbox/instance-lock.ts';
import { startSandbox, type Sandbox } from '../../src/sandbox/start.ts';
import { testConfig } from '../helpers/check-context.ts';
import { startRedisServer, type OwnRedis } from '../helpers/redis-server.ts';

function rawRequest(url: string, opts: { method?: string; headers?: Record<string, string> }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the sandbox at start', () => {
  let redis: OwnRedis;
  let dir: string;
  let first: Sandbox;
  const quiet = { write: () => undefined };

  beforeAll(async () => {
    redis = await startRedisServer();
    dir = await mkdtemp(join(tmpdir(), 'sandbox-start-'));
    first = await startSandbox({
      base: testConfig(),
      env: {},
      port: 0,
      redisUrl: `${redis.url}/9`,
      cliConfigDir: join(dir, 'first'),
      logDestination: quiet,
    });
  }, 90_000);
  afterAll(async () => {
    await first?.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints every URL it serves, and each one answers', async () => {
    const { urls } = first;
    const text = first.banner.join('\n');
    for (const u of [urls.page, urls.bot, urls.healthz, urls.readyz, urls.metrics, urls.faults]) {
      expect(u.startsWith('http://127.0.0.1:')).toBe(true);
      expect(text).toContain(u);
    }
    expect((await fetch(urls.page)).status).toBe(200);
    expect((await fetch(urls.healthz)).status).toBe(200);
    expect((await fetch(urls.readyz)).status).toBe(200);
    expect(await (await fetch(urls.metrics)).text()).toContain('# HELP');
    expect((await fetch(urls.faults)).status).toBe(200);
    // The bot's own port: a GET of its health route answers directly too.
    expect((await fetch(urls.bot.replace('/slack/events', '/healthz'))).status).toBe(200);
  });

  it('binds the bot to loopback only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    const port = new URL(first.urls.bot).port;
    if (external) await expect(fetch(`http://${external.address}:${port}/healthz`)).rejects.toThrow();
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).resolves.toHaveProperty('status', 200);
  });

  it('refuses a foreign Host (DNS rebinding) and a foreign Origin on every route', async () => {
    const port = new URL(first.url).port;
    expect((await rawRequest(`${first.url}/sandbox/state`, { headers: { host: `rebind.example:${port}` } })).status).toBe(403);
    expect((await rawRequest(`${first.url}/`, { headers: { host: `rebind.example:${port}` } })).status).toBe(403);
    expect((await rawRequest(`${first.url}/sandbox/state`, { headers: { host: `localhost:${port}` } })).status).toBe(200);
    const interact = await rawRequest(`${first.url}/sandbox/interact`, {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
    });
    expect(interact.status).toBe(403);
  });

  it('injects faults only with the per-start token from a same-origin caller, and the sidebar state follows', async () => {
    const inject = `${first.urls.faults}/redis_outage/inject`;
    expect((await fetch(inject, { method: 'POST' })).status).toBe(403);
    expect((await fetch(inject, { method: 'POST', headers: { 'x-sandbox-token': 'x'.repeat(32) } })).status).toBe(403);
    const crossOrigin = await fetch(inject, {
      method: 'POST',
      headers: { 'x-sandbox-token': first.faultToken, origin: 'https://evil.example' },
    });
    expect(crossOrigin.status).toBe(403);
    expect(first.caracal.faults.active()).toEqual([]);

    const listing = (await (await fetch(first.urls.faults)).json()) as { token: string; redis: string };
    expect(listing.token).toBe(first.faultToken);
    expect(listing.redis).toBe('up');
    const injected = await fetch(inject, {
      method: 'POST',
      headers: { 'x-sandbox-token': listing.token, origin: new URL(first.url).origin },
    });
    expect(injected.status).toBe(200);
    expect(((await injected.json()) as { redis: string }).redis).toBe('down (simulated outage)');
    const cleared = await fetch(`${first.urls.faults}/redis_outage/clear`, {
      method: 'POST',
      headers: { 'x-sandbox-token': listing.token },
    });
    expect(((await cleared.json()) as { redis: string }).redis).toBe('up');
  });

  it('writes its config and secrets for the CLI (0600) and says where', async () => {
    const { cliConfig } = first;
    expect(first.banner.join('\n')).toContain(cliConfig.config);
    expect((await stat(cliConfig.config)).mode & 0o777).toBe(0o600);
    expect((await stat(cliConfig.env)).mode & 0o777).toBe(0o600);
    const file = parse(await readFile(cliConfig.config, 'utf8')) as {
      caracal: { redis: { url: string }; postgres: { url: string } };
      thresholds: { postgresLatencyWarnMs: number };
    };
    expect(file.caracal.redis.url).toBe(first.caracal.file.caracal.redis.url);
    expect(file.caracal.postgres.url).toBe(first.caracal.file.caracal.postgres.url);
    expect(file.thresholds.postgresLatencyWarnMs).toBe(5000);
    const env = JSON.parse(await readFile(cliConfig.env, 'utf8')) as Record<string, string>;
    expect(env).toEqual(first.caracal.env);
  });

  it('a second sandbox on the same Redis database takes the next empty one and says so; with none free it refuses', async () => {
    const db9 = new Redis(`${redis.url}/9`);
    const groupsBefore = await db9.xinfo('GROUPS', 'caracal.sessions.revoke');
    const second = await startSandbox({
      base: testConfig(),
      env: {},
      port: 0,
      redisUrl: `${redis.url}/9`,
      cliConfigDir: join(dir, 'second'),
      logDestination: quiet,
    });
    try {
      expect(second.redisDb?.db).toBe(10);
      expect(second.redisDb?.note).toContain(`Redis database 9 is in use by the sandbox of pid ${process.pid} at ${first.url}/`);
      expect(second.banner.join('\n')).toContain('this sandbox uses database 10');
      // The first one's streams were not emptied.
      expect(await db9.xinfo('GROUPS', 'caracal.sessions.revoke')).toEqual(groupsBefore);
      expect(await db9.get(LOCK_KEY)).toContain(first.url);

      // Databases 11 to 15 hold someone's data: a third sandbox must not empty any of them.
      for (let db = 11; db <= 15; db++) {
        const c = new Redis(`${redis.url}/${db}`);
        await c.set('someone:else', String(db));
        c.disconnect();
      }
      await expect(
        startSandbox({
          base: testConfig(),
          env: {},
          port: 0,
          redisUrl: `${redis.url}/9`,
          cliConfigDir: join(dir, 'third'),
          logDestination: quiet,
        }),
      ).rejects.toThrow(SandboxBusyError);
      for (let db = 11; db <= 15; db++) {
        const c = new Redis(`${redis.url}/${db}`);
        expect(await c.get('someone:else')).toBe(String(db));
        c.disconnect();
      }
    } finally {
      await second.close();
      db9.disconnect();
    }
  }, 90_000);
});
