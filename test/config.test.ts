import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARACAL_V1_MIGRATIONS, SECRET_ENV, channelEnvironment, environmentNames, loadConfig, parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

describe('configuration', () => {
  it('defaults to Caracal v1.0.0 migrations and the fact-sheet thresholds', () => {
    const config = parseConfig(undefined, {});
    expect(config.caracal.expectedMigrations).toEqual(CARACAL_V1_MIGRATIONS);
    expect(config.thresholds.revocationSnapshotMaxAgeSeconds).toBe(70);
    expect(config.thresholds.outboxPendingAgeSeconds).toBe(300);
    expect(config.thresholds.tamperSweepMaxAgeSeconds).toBe(7200);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every problem of an invalid file at once', () => {
    const yaml =
      'caracal:\n  typo: 1\n  services:\n    gateway: [not-a-url]\n  postgres: { url: mysql://x }\nthresholds:\n  streamLagMax: -3\n';
    let error: ConfigError | undefined;
    try {
      parseConfig(yaml, { CARACAL_ADMIN_TOKEN_FILE: '/nonexistent/token' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error!.problems.join('\n');
    expect(text).toContain('caracal.services.gateway.0');
    expect(text).toContain('caracal.postgres.url');
    expect(text).toContain('thresholds.streamLagMax');
    expect(text).toContain('typo');
    expect(text).toContain('CARACAL_ADMIN_TOKEN_FILE');
    expect(error!.problems.length).toBeGreaterThanOrEqual(5);
  });

  it('reads secrets from NAME_FILE when NAME is empty, like Caracal', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'tok'), 'file-token-value\n');
    expect(parseConfig(undefined, { CARACAL_ADMIN_TOKEN_FILE: join(dir, 'tok') }).secrets.adminToken).toBe('file-token-value');
    expect(parseConfig(undefined, { CARACAL_ADMIN_TOKEN: 'env', CARACAL_ADMIN_TOKEN_FILE: join(dir, 'tok') }).secrets.adminToken).toBe(
      'env',
    );
    writeFileSync(join(dir, 'empty'), '');
    expect(() => parseConfig(undefined, { CARACAL_ADMIN_TOKEN_FILE: join(dir, 'empty') })).toThrow(/empty/);
  });

  it('refuses invalid YAML and a missing file with a clear message', () => {
    expect(() => parseConfig('a: [', {})).toThrow(/not valid YAML/);
    expect(() => loadConfig({ CARACAL_CHATOPS_CONFIG: '/nonexistent.yml' })).toThrow(/cannot read config file/);
  });

  it('config.example.yml parses, and .env.example lists exactly the secret variables', () => {
    const config = loadConfig({ CARACAL_CHATOPS_CONFIG: 'config.example.yml' });
    expect(config.caracal.services.gateway).toEqual(['http://127.0.0.1:8081']);
    const envKeys = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(new Set(envKeys)).toEqual(new Set([...Object.values(SECRET_ENV), 'CARACAL_CHATOPS_CONFIG']));
  });

  it("the README's two-environment example and config.example.yml's commented one are valid configurations", () => {
    const readme = readFileSync('README.md', 'utf8');
    const section = readme.slice(readme.indexOf('### Several environments'), readme.indexOf('### Alerts from Alertmanager'));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    const config = parseConfig(yaml, {});
    expect(environmentNames(config)).toEqual(['prod-eu', 'staging']);
    expect([
      channelEnvironment(config, 'C0PRODEU'),
      channelEnvironment(config, 'C0STAGING'),
      channelEnvironment(config, 'C0OTHER'),
    ]).toEqual(['prod-eu', 'staging', 'prod-eu']);
    expect(config.alerts.environmentLabels).toEqual(['environment', 'cluster']);
    expect(section).toContain('caracal-chatops check --environment staging');
    // The set-up stays two commands.
    expect(readme).toContain('npm start   # starts the bot\nnpm test    # runs every test');

    // The example's environments block, uncommented, adds staging with its channel to the default environment.
    const example = readFileSync('config.example.yml', 'utf8');
    const uncommented = example.replace(
      /^environments: \{\}\n((?:#.*\n)+)/m,
      (_, block: string) => `environments:\n${block.replace(/^#/gm, '')}`,
    );
    const two = parseConfig(uncommented, {});
    expect(environmentNames(two)).toEqual(['default', 'staging']);
    expect(channelEnvironment(two, 'C0STAGING')).toBe('staging');
    expect(two.environments.staging.caracal.services.gateway).toEqual(['http://caracal-staging.internal:8081']);
  });
});
