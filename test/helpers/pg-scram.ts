// A private PostgreSQL cluster that REQUIRES SCRAM passwords (the shared one on 5432 trusts every connection, which
// hid the password bugs): initdb in a temp dir, a free loopback port, hba scram-sha-256 for every TCP connection.
// initdb refuses to run as root, so as root (the tests, CI) the cluster belongs to the `postgres` OS user.
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './free-port.ts';

const run = promisify(execFile);

export interface ScramPostgres {
  host: string;
  port: number;
  /** A login role that may connect only with `password`, owning `database`. */
  user: string;
  password: string;
  database: string;
  /** postgres://user@host:port/database: no password in it, as operators write it. */
  url: string;
  stop(): Promise<void>;
}

async function binDir(): Promise<string> {
  const versions = (await readdir('/usr/lib/postgresql')).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no PostgreSQL server binaries under /usr/lib/postgresql (Debian package postgresql)');
  return `/usr/lib/postgresql/${versions[0]}/bin`;
}

/** Runs a server binary, as the `postgres` OS user when we are root. */
async function asOwner(bin: string, args: string[]): Promise<void> {
  const asRoot = userInfo().uid === 0;
  await (asRoot ? run('runuser', ['-u', 'postgres', '--', bin, ...args]) : run(bin, args));
}

export async function startScramPostgres(options: { user?: string; password?: string; database?: string } = {}): Promise<ScramPostgres> {
  const user = options.user ?? 'caracal_readonly';
  const password = options.password ?? 'scram-test-password-7f3a';
  const database = options.database ?? 'caracal';
  const bin = await binDir();
  const dir = await mkdtemp(join(tmpdir(), 'cc-pg-'));
  const data = join(dir, 'data');
  const superPassword = 'superuser-scram-pw-91c2';
  if (userInfo().uid === 0) {
    const owner = await run('id', ['-u', 'postgres']).then((r) => Number(r.stdout.trim()));
    const group = await run('id', ['-g', 'postgres']).then((r) => Number(r.stdout.trim()));
    await chown(dir, owner, group);
  }
  await chmod(dir, 0o700);
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, superPassword, { mode: 0o644 });
  const port = await freePort();
  let started = false;
  const stop = async () => {
    if (started) await asOwner(`${bin}/pg_ctl`, ['stop', '-D', data, '-m', 'immediate', '-w']).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await asOwner(`${bin}/initdb`, ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-sync']);
    await asOwner(`${bin}/pg_ctl`, [
      'start',
      '-D',
      data,
      '-w',
      '-t',
      '60',
      '-l',
      join(dir, 'log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`,
    ]);
    started = true;
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password: superPassword, database: 'postgres' });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await admin.query(`CREATE DATABASE ${database} OWNER ${user}`);
    } finally {
      await admin.end();
    }
    return { host: '127.0.0.1', port, user, password, database, url: `postgres://${user}@127.0.0.1:${port}/${database}`, stop };
  } catch (err) {
    await stop();
    throw new Error(`could not start a SCRAM PostgreSQL: ${String(err)}`, { cause: err });
  }
}
