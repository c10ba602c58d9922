// Every credential reaches its client, against servers that REQUIRE them: a PostgreSQL cluster with SCRAM only and
// a redis-server with requirepass plus an ACL user. Wrong or missing passwords are findings that name the user and
// the variable to fix, never a crash, never the secret.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgCopyClient } from '../../../src/audit/copy-client.ts';
import { postgresReachable } from '../../../src/checks/postgres/reachable.ts';
import { redisReachable } from '../../../src/checks/redis/reachable.ts';
import { createRedisTarget } from '../../../src/checks/targets/redis.ts';
import { createLogger } from '../../../src/logger.ts';
import { postgresDb } from '../../../src/store/db.ts';
import { openStateDb } from '../../../src/store/open.ts';
import { buildContext, runOne, testConfig } from '../../helpers/check-context.ts';
import { startScramPostgres, type ScramPostgres } from '../../helpers/pg-scram.ts';
import { startRedisServer, type OwnRedis } from '../../helpers/redis-server.ts';

const silent = createLogger({ level: 'silent' });

describe('Caracal Postgres and the state database against a SCRAM-only PostgreSQL', () => {
  let server: ScramPostgres;
  let dir: string;
  beforeAll(async () => {
    server = await startScramPostgres();
    dir = await mkdtemp(join(tmpdir(), 'cc-secrets-'));
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  async function reachable(url: string, env: Record<string, string>) {
    const t = buildContext({ caracal: { postgres: { url } } }, env);
    try {
      return await runOne(postgresReachable, t.ctx);
    } finally {
      await t.close();
    }
  }

  it('uses CARACAL_POSTGRES_PASSWORD with a URL that has no password (the documented setup)', async () => {
    const result = await reachable(server.url, { CARACAL_POSTGRES_PASSWORD: server.password });
    expect(result.status, result.summary).not.toBe('fail');
    expect(result.status).not.toBe('error');
  });

  it('reads the password from CARACAL_POSTGRES_PASSWORD_FILE', async () => {
    const file = join(dir, 'pg-password');
    await writeFile(file, `${server.password}\n`);
    const result = await reachable(server.url, { CARACAL_POSTGRES_PASSWORD_FILE: file });
    expect(['pass', 'warn']).toContain(result.status);
  });

  it('uses a password written in the URL when no secret is set', async () => {
    const url = server.url.replace(`${server.user}@`, `${server.user}:${encodeURIComponent(server.password)}@`);
    expect(['pass', 'warn']).toContain((await reachable(url, {})).status);
  });

  it('a wrong password is a finding naming the user and the variable, without the secret', async () => {
    const wrong = 'definitely-not-the-password';
    const result = await reachable(server.url, { CARACAL_POSTGRES_PASSWORD: wrong });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain(`authentication failed for user "${server.user}"`);
    expect(result.summary).toContain('CARACAL_POSTGRES_PASSWORD');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('no password at all says which variable to set', async () => {
    const result = await reachable(server.url, {});
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/requires a password.*CARACAL_POSTGRES_PASSWORD/);
  });

  it('an unreadable sslrootcert is a finding, not a crash', async () => {
    const result = await reachable(`${server.url}?sslmode=verify-full&sslrootcert=${join(dir, 'missing-ca.pem')}`, {
      CARACAL_POSTGRES_PASSWORD: server.password,
    });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('missing-ca.pem (ENOENT)');
  });

  it('honours sslmode=require: this server has no TLS, so the connection is refused rather than sent in clear', async () => {
    const result = await reachable(`${server.url}?sslmode=require`, { CARACAL_POSTGRES_PASSWORD: server.password });
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/does not support SSL/i);
  });

  it('the deep verification COPY client authenticates with the secret, and reports a wrong one', async () => {
    let rows = 0;
    const good = pgCopyClient({ url: server.url, password: server.password, statementTimeoutMs: 5000 });
    try {
      await good.copyOut(
        'COPY (SELECT generate_series(1, 3)) TO STDOUT',
        (chunk) => void (rows += chunk.toString().split('\n').length - 1),
      );
    } finally {
      await good.end();
    }
    expect(rows).toBe(3);
    const bad = pgCopyClient({ url: server.url, password: 'nope-nope', statementTimeoutMs: 5000 });
    try {
      await expect(bad.copyOut('COPY (SELECT 1) TO STDOUT', () => undefined)).rejects.toThrow(
        `authentication failed for user "${server.user}"`,
      );
    } finally {
      await bad.end();
    }
  });

  it('the state database takes STATE_DATABASE_PASSWORD with a URL without one, and migrates', async () => {
    const config = testConfig({}, { STATE_DATABASE_URL: server.url, STATE_DATABASE_PASSWORD: server.password });
    const db = await openStateDb(config, silent);
    try {
      const { rows } = await db.query<{ user: string }>('SELECT current_user AS user');
      expect(rows[0].user).toBe(server.user);
    } finally {
      await db.close();
    }
    const wrong = postgresDb(server.url, { password: 'wrong-state-pw' });
    try {
      await expect(wrong.query('SELECT 1')).rejects.toThrow(/password authentication failed/);
    } finally {
      await wrong.close();
    }
  });
});

describe('Caracal Redis with requirepass and an ACL user', () => {
  let redis: OwnRedis;
  let host: string;
  beforeAll(async () => {
    redis = await startRedisServer(['--requirepass', 'default-redis-pw', '--user', 'chatops', 'on', '>acl-user-pw', '~*', '&*', '+@all']);
    host = new URL(redis.url).host;
  }, 60_000);
  afterAll(async () => {
    await redis?.stop();
  });

  async function reachable(url: string, env: Record<string, string>) {
    const t = buildContext({ caracal: { redis: { url, requireAppendonly: false } } }, env);
    try {
      return await runOne(redisReachable, t.ctx);
    } finally {
      await t.close();
    }
  }

  it.each([
    ['the secret with a URL without password', `redis://${'HOST'}/0`, { CARACAL_REDIS_PASSWORD: 'default-redis-pw' }],
    ['the ACL user from the URL and the password from the secret', `redis://chatops@HOST/0`, { CARACAL_REDIS_PASSWORD: 'acl-user-pw' }],
    ['user and password both in the URL', `redis://chatops:acl-user-pw@HOST/0`, {}],
  ] as const)('authenticates with %s', async (_name, url, env) => {
    const result = await reachable(url.replace('HOST', host), env);
    expect(['pass', 'warn'], result.summary).toContain(result.status);
  });

  it('a wrong password names the ACL user and the variable, never the secret', async () => {
    const result = await reachable(`redis://chatops@${host}/0`, { CARACAL_REDIS_PASSWORD: 'wrong-acl-pw' });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('authentication failed for user "chatops"');
    expect(JSON.stringify(result)).not.toContain('wrong-acl-pw');
  });

  it('no password says which variable to set', async () => {
    const target = createRedisTarget({ url: `redis://${host}/0`, connectTimeoutMs: 2000 });
    try {
      await expect(target.command('PING')).rejects.toThrow(/requires a password.*CARACAL_REDIS_PASSWORD/);
    } finally {
      await target.end();
    }
  });

  it('an unreadable CA file for rediss:// is a finding, not a crash', async () => {
    const target = createRedisTarget({ url: `rediss://${host}/0`, caFile: '/nonexistent/ca.pem', connectTimeoutMs: 2000 });
    try {
      await expect(target.command('PING')).rejects.toThrow('cannot read /nonexistent/ca.pem (ENOENT)');
    } finally {
      await target.end();
    }
  });
});
