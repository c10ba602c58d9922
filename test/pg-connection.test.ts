import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describePgError, pgConnectionConfig } from '../src/pg-connection.ts';
import { redisConnectionOptions } from '../src/checks/targets/redis.ts';

describe('pgConnectionConfig', () => {
  it('sets the secret over the empty password of a URL without one, and keeps the rest of the URL', () => {
    const c = pgConnectionConfig({ url: 'postgres://ro@db.internal:6543/caracal', password: 's3cret' });
    expect(c).toMatchObject({ user: 'ro', host: 'db.internal', port: 6543, database: 'caracal', password: 's3cret' });
  });

  it('the secret wins over a URL password; without a secret the URL password is used', () => {
    expect(pgConnectionConfig({ url: 'postgres://ro:inurl@h/db', password: 'secret' }).password).toBe('secret');
    expect(pgConnectionConfig({ url: 'postgres://ro:in%40url@h/db' }).password).toBe('in@url');
    expect(pgConnectionConfig({ url: 'postgres://ro@h/db' })).not.toHaveProperty('password');
  });

  it('keeps libpq sslmode meanings and reads sslrootcert', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cc-ca-'));
    try {
      await writeFile(join(dir, 'ca.pem'), 'CA-PEM');
      expect(pgConnectionConfig({ url: 'postgres://u@h/db?sslmode=require' }).ssl).toMatchObject({ rejectUnauthorized: false });
      expect(pgConnectionConfig({ url: 'postgres://u@h/db?sslmode=disable', ssl: true }).ssl).toBe(false);
      const full = pgConnectionConfig({ url: `postgres://u@h/db?sslmode=verify-full&sslrootcert=${join(dir, 'ca.pem')}` }).ssl;
      expect(full).toMatchObject({ ca: 'CA-PEM' });
      expect(full).not.toMatchObject({ rejectUnauthorized: false });
      expect(pgConnectionConfig({ url: 'postgres://u@h/db', ssl: true }).ssl).toBe(true);
      expect(pgConnectionConfig({ url: 'postgres://u@h/db' })).not.toHaveProperty('ssl');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('describes authentication failures with the variable to fix', () => {
    expect(describePgError({ code: '28P01', message: 'password authentication failed for user "ro"' }, 'X_PASSWORD')).toBe(
      'authentication failed for user "ro": check X_PASSWORD',
    );
    expect(describePgError(new Error('SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string'), 'X_PASSWORD')).toMatch(
      /set X_PASSWORD/,
    );
  });
});

describe('redisConnectionOptions', () => {
  it('takes the ACL user from the URL and the password from the secret, which wins over the URL', () => {
    expect(redisConnectionOptions('redis://bot@r.internal:6380/2', 'pw')).toEqual({
      host: 'r.internal',
      port: 6380,
      db: 2,
      username: 'bot',
      password: 'pw',
    });
    expect(redisConnectionOptions('redis://bot:inurl@r/0', 'pw').password).toBe('pw');
    expect(redisConnectionOptions('redis://:inurl@r/0').password).toBe('inurl');
    expect(redisConnectionOptions('rediss://r/0').tls).toEqual({});
    expect(redisConnectionOptions('redis://r').tls).toBeUndefined();
  });
});
