// The bot replicas of the soak: real child processes running src/main.ts (through tsx's loader) on one shared state
// database, each with its own config file and port, killed with SIGKILL and started again on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/free-port.ts';
import type { Backend } from './proxy.ts';
import { SOAK_APPROVERS, SOAK_SECRET, SOAK_TOKEN } from './workspace.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface Replica extends Backend {
  /** `A#2`: the replica's name and which of its processes, as the proxy tags answers. */
  tag(): string;
  start(): Promise<void>;
  /** SIGKILL: no shutdown hook runs, in-flight work and leases are abandoned. */
  kill(): Promise<void>;
  /** SIGTERM: the normal shutdown (finish in-flight work, stop the dispatcher). */
  stop(): Promise<void>;
}

export interface ReplicaOptions {
  name: string;
  /** Where config files and logs go. */
  dir: string;
  stateDatabaseUrl: string;
  slackApiUrl: string;
  /** Extra `slack` settings (a short delivery lease, so a killed replica's runs are taken over sooner). */
  slack?: Record<string, number>;
}

/** The parent's environment without anything that would change what the bot connects to. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SLACK_|CARACAL_|STATE_|SANDBOX_)/.test(k)));
}

async function waitReady(port: number, child: ChildProcess, name: string): Promise<void> {
  const end = Date.now() + 120_000; // a loaded shared machine starts tsx slowly
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`replica ${name} exited while starting (see its log)`);
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`replica ${name} not ready after 120 s`);
}

export async function createReplica(opts: ReplicaOptions): Promise<Replica> {
  const port = await freePort();
  const configPath = join(opts.dir, `${opts.name}.yml`);
  // No Caracal is configured: every check fails at once ("not configured"), as the soak wants.
  writeFileSync(
    configPath,
    // The soak's Slack has no posting limit, and the soak proves consistency across kills, not pacing (bench/delivery.ts).
    JSON.stringify({
      slack: { port, apiUrl: opts.slackApiUrl, postIntervalMs: 0, ...opts.slack },
      recovery: { approvers: { users: SOAK_APPROVERS } },
      logLevel: 'info',
    }),
  );
  let incarnation = 0;
  let child: ChildProcess | undefined;

  async function exited(c: ChildProcess): Promise<void> {
    if (c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => c.once('exit', () => resolve()));
  }

  const replica: Replica = {
    name: opts.name,
    port,
    incarnation: () => incarnation,
    tag: () => `${opts.name}#${incarnation}`,
    async start() {
      incarnation++;
      const log = openSync(join(opts.dir, `${opts.name}-${incarnation}.log`), 'a');
      child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        cwd: ROOT,
        env: {
          ...cleanEnv(),
          SLACK_BOT_TOKEN: SOAK_TOKEN,
          SLACK_SIGNING_SECRET: SOAK_SECRET,
          STATE_DATABASE_URL: opts.stateDatabaseUrl,
          CARACAL_CHATOPS_CONFIG: configPath,
        },
        stdio: ['ignore', log, log],
      });
      closeSync(log);
      await waitReady(port, child, replica.tag());
    },
    async kill() {
      if (!child) return;
      child.kill('SIGKILL');
      await exited(child);
    },
    async stop() {
      if (!child) return;
      const c = child;
      c.kill('SIGTERM');
      const timer = setTimeout(() => c.kill('SIGKILL'), 15_000);
      await exited(c);
      clearTimeout(timer);
    },
  };
  return replica;
}
