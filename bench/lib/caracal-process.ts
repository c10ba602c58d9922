// The simulated Caracal in a process of its own, for benches that measure the bot under load: in production Caracal
// runs elsewhere, and in the bench's process it answered the bot's checks only when the load (senders, the Slack
// emulation) left it time. Prints one JSON line (its configuration, secrets and a control URL), then serves until
// SIGTERM. GET <control>/ready-calls lists when each /ready arrived (epoch ms), per service pod.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from '../../src/sandbox/fake-caracal.ts';
import { startSimulatedCaracal } from '../../src/sandbox/caracal/index.ts';

const redisUrl = process.env.CARACAL_REDIS_URL;
if (!redisUrl) throw new Error('CARACAL_REDIS_URL: the redis-server of the bench that started this process');
const caracal = await startSimulatedCaracal({ redisUrl });
const readyAt: Record<string, number[]> = {};
const recorded = caracal.fake.requests;
const record = recorded.push.bind(recorded);
recorded.push = (...items: RecordedRequest[]): number => {
  for (const r of items) if (r.path === '/ready') (readyAt[`${r.service}/${r.pod}`] ??= []).push(Date.now());
  return record(...items);
};
const control = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(readyAt));
});
await new Promise<void>((r) => control.listen(0, '127.0.0.1', r));
process.stdout.write(
  `${JSON.stringify({ file: caracal.file, env: caracal.env, control: `http://127.0.0.1:${(control.address() as AddressInfo).port}` })}\n`,
);
process.on('SIGTERM', () => {
  control.close();
  void caracal.close().then(() => process.exit(0));
});
