// Real Prometheus and Alertmanager (Debian's `prometheus` and `prometheus-alertmanager`) in front of the simulated
// Caracal: Prometheus scrapes each pod's /metrics and evaluates caracal-sandbox.rules.yml, Alertmanager groups the
// alerts by name and sends them to the bot's POST /alertmanager with the bearer token. Short intervals throughout,
// so a fault alerts in seconds. Everything lives in a temporary directory removed on close.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { ServiceName } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { freePort } from '../free-port.ts';
import { SANDBOX_RULES_FILE } from './rules.ts';

export { INSTALL_HINT } from '../../alerts/sample.ts';
import { INSTALL_HINT } from '../../alerts/sample.ts';

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter).concat(['/usr/bin', '/usr/local/bin'])) {
    const path = join(dir, name);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/** Both binaries, or undefined when either is missing. */
export function findAlertingBinaries(): { prometheus: string; alertmanager: string } | undefined {
  const prometheus = which('prometheus');
  const alertmanager = which('prometheus-alertmanager') ?? which('alertmanager');
  return prometheus && alertmanager ? { prometheus, alertmanager } : undefined;
}

export interface AlertingOptions {
  targets: Record<ServiceName, string[]>;
  metricsBearer: string | undefined;
  webhookUrl: string;
  webhookToken: string;
  logger: Logger;
  scrapeIntervalS?: number;
  groupWaitS?: number;
  groupIntervalS?: number;
}

export interface AlertingStack {
  prometheusUrl: string;
  alertmanagerUrl: string;
  close(): Promise<void>;
}

export function prometheusYaml(o: AlertingOptions, alertmanagerPort: number): string {
  const scrape = o.scrapeIntervalS ?? 1;
  const auth = o.metricsBearer ? `    authorization: { type: Bearer, credentials: ${JSON.stringify(o.metricsBearer)} }\n` : '';
  const jobs = (Object.entries(o.targets) as [ServiceName, string[]][])
    .filter(([, urls]) => urls.length > 0)
    .map(
      ([service, urls]) =>
        `  - job_name: caracal-${service}\n${auth}    static_configs:\n      - targets: [${urls.map((u) => JSON.stringify(new URL(u).host)).join(', ')}]\n        labels: { service: ${service} }\n`,
    );
  return [
    `global: { scrape_interval: ${scrape}s, scrape_timeout: ${scrape}s, evaluation_interval: ${scrape}s }`,
    'rule_files: [caracal-sandbox.rules.yml]',
    `alerting: { alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:${alertmanagerPort}"] } ] } ] }`,
    'scrape_configs:',
    ...jobs,
  ].join('\n');
}

export function alertmanagerYaml(o: AlertingOptions): string {
  return [
    'route:',
    '  receiver: caracal-chatops',
    '  group_by: [alertname]',
    `  group_wait: ${o.groupWaitS ?? 1}s`,
    `  group_interval: ${o.groupIntervalS ?? 2}s`,
    '  repeat_interval: 1h',
    'receivers:',
    '  - name: caracal-chatops',
    '    webhook_configs:',
    `      - url: ${JSON.stringify(o.webhookUrl)}`,
    '        send_resolved: true',
    `        http_config: { authorization: { type: Bearer, credentials: ${JSON.stringify(o.webhookToken)} } }`,
    '',
  ].join('\n');
}

async function waitReady(url: string, child: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not become ready at ${url}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startAlerting(o: AlertingOptions): Promise<AlertingStack> {
  const bins = findAlertingBinaries();
  if (!bins) throw new Error(`Prometheus and Alertmanager are not installed: ${INSTALL_HINT}`);
  const dir = await mkdtemp(join(tmpdir(), 'caracal-alerting-'));
  const children: ChildProcess[] = [];
  const log = o.logger.child({ component: 'sandbox-alerting' });
  const close = async () => {
    await Promise.all(children.map(stopChild));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [promPort, amPort] = [await freePort(), await freePort()];
    await copyFile(SANDBOX_RULES_FILE, join(dir, 'caracal-sandbox.rules.yml'));
    await writeFile(join(dir, 'prometheus.yml'), prometheusYaml(o, amPort));
    await writeFile(join(dir, 'alertmanager.yml'), alertmanagerYaml(o));
    const run = (bin: string, args: string[], name: string) => {
      const child = spawn(bin, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
      child.stderr?.on('data', (d: Buffer) => log.debug({ process: name }, d.toString().trim().slice(0, 500)));
      children.push(child);
      return child;
    };
    const am = run(
      bins.alertmanager,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'am')}`,
        `--web.listen-address=127.0.0.1:${amPort}`,
        '--cluster.listen-address=',
      ],
      'alertmanager',
    );
    const prom = run(
      bins.prometheus,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
        '--rules.alert.resend-delay=2s',
      ],
      'prometheus',
    );
    const alertmanagerUrl = `http://127.0.0.1:${amPort}`;
    const prometheusUrl = `http://127.0.0.1:${promPort}`;
    await Promise.all([waitReady(alertmanagerUrl, am, 'Alertmanager'), waitReady(prometheusUrl, prom, 'Prometheus')]);
    log.info({ prometheusUrl, alertmanagerUrl }, 'Prometheus and Alertmanager started against the simulated Caracal');
    return { prometheusUrl, alertmanagerUrl, close };
  } catch (err) {
    await close();
    throw err;
  }
}
