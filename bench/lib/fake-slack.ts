// A minimal Slack Web API on localhost for benchmarks: every method answers ok; calls are counted.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSlack {
  url: string;
  calls: { method: string; body: URLSearchParams }[];
  close(): Promise<void>;
}

/** `latencyMs`: each answer waits this long (a slow Slack), as a number or per call. */
export async function startFakeSlack(options: { latencyMs?: number | (() => number) } = {}): Promise<FakeSlack> {
  const calls: FakeSlack['calls'] = [];
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const body = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      calls.push({ method, body });
      seq++;
      const ts = body.get('ts') ?? `1764320000.${String(seq).padStart(6, '0')}`;
      const latency = typeof options.latencyMs === 'function' ? options.latencyMs() : (options.latencyMs ?? 0);
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        // auth.test names the bot, as `serve` checks at start.
        const identity = method === 'auth.test' ? { user_id: 'U0BOT', bot_id: 'B0BENCH', team_id: 'T0', user: 'caracal' } : {};
        res.end(JSON.stringify({ ok: true, channel: body.get('channel'), ts, users: [], ...identity }));
      }, latency);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
