// A small round-robin load balancer in front of the replicas, like the one Slack's requests would pass through.
// A replica that refuses the connection (down, or not yet listening) is skipped for a moment and the request goes
// to the next one: nothing reached the refusing one. Any other failure after the request went out is answered 502,
// because the replica may have read it; the caller then retries as Slack does.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Backend {
  name: string;
  port: number;
  /** Which process of this replica is running now (bumped at each restart). */
  incarnation(): number;
}

export interface SoakProxy {
  url: string;
  /** Requests forwarded to each backend name. */
  forwarded: Map<string, number>;
  /** Connections refused and sent to another backend instead. */
  failovers: number;
  close(): Promise<void>;
}

/** Slack gives up on an ack after 3 s (and retries). */
const ACK_TIMEOUT_MS = 3000;
const DOWN_FOR_MS = 250;

export async function startProxy(backends: readonly Backend[]): Promise<SoakProxy> {
  let next = 0;
  const downUntil = new Map<string, number>();
  const forwarded = new Map<string, number>();
  const state = { failovers: 0 };

  function order(): Backend[] {
    const start = next++ % backends.length;
    const rotated = [...backends.slice(start), ...backends.slice(0, start)];
    const now = Date.now();
    return [...rotated.filter((b) => (downUntil.get(b.name) ?? 0) <= now), ...rotated.filter((b) => (downUntil.get(b.name) ?? 0) > now)];
  }

  function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, candidates: Backend[]): void {
    const backend = candidates[0];
    if (!backend) {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('no replica answers');
      return;
    }
    const tag = `${backend.name}#${backend.incarnation()}`;
    const upstream = request(
      {
        host: '127.0.0.1',
        port: backend.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, connection: 'close' },
        agent: false,
        timeout: ACK_TIMEOUT_MS,
      },
      (answer) => {
        forwarded.set(backend.name, (forwarded.get(backend.name) ?? 0) + 1);
        res.writeHead(answer.statusCode ?? 502, { ...answer.headers, 'x-soak-replica': tag });
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error('ack timeout')));
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return res.destroy();
      if (err.code === 'ECONNREFUSED') {
        downUntil.set(backend.name, Date.now() + DOWN_FOR_MS);
        state.failovers++;
        return forward(req, body, res, candidates.slice(1));
      }
      res.writeHead(502, { 'content-type': 'text/plain', 'x-soak-replica': tag }).end(`upstream ${tag}: ${err.code ?? err.message}`);
    });
    upstream.end(body);
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => forward(req, Buffer.concat(chunks), res, order()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    get failovers() {
      return state.failovers;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
