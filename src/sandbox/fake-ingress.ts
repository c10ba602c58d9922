// What sits between the bot and a Caracal pod in a real cluster: an ingress or load balancer, often terminating
// TLS. It forwards to a simulated pod and can misbehave the way ingresses do: reset a connection, answer 502/503
// with its own HTML page, or hold a path back (a Caracal /ready waiting on its Redis client, caracal-ops.md §15.1.1).
// With `tls`, it serves https with a self-signed certificate made at start, valid until `notAfter`.
import { createServer as createHttpServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { generate } from 'selfsigned';

export interface FakeIngressOptions {
  /** The pod to forward to (http://127.0.0.1:port). */
  target: string;
  tls?: { notAfter: Date; commonName?: string };
}

export interface FakeIngress {
  url: string;
  /** PEM of the served certificate (https only): what a client must trust to verify it. */
  certificate: string | undefined;
  /** Drop the connection of the next N requests without answering. */
  resetNext: number;
  /** Answer the next N requests with this ingress error page instead of forwarding. */
  failNext: { count: number; status: 502 | 503 | 404 };
  /** Hold a request back this long before forwarding it (0: at once). */
  delayFor: (path: string) => number;
  /** Requests seen, forwarded or not. */
  seen: number;
  close(): Promise<void>;
}

const PAGE = (status: number) =>
  `<html><head><title>${status}</title></head><body><center><h1>${status} ${status === 502 ? 'Bad Gateway' : status === 503 ? 'Service Temporarily Unavailable' : 'Not Found'}</h1></center><hr><center>nginx</center></body></html>\n`;

export async function startFakeIngress(options: FakeIngressOptions): Promise<FakeIngress> {
  const target = new URL(options.target);
  const sockets = new Set<Socket>();
  let certificate: string | undefined;
  const ingress: FakeIngress = {
    url: '',
    certificate: undefined,
    resetNext: 0,
    failNext: { count: 0, status: 502 },
    delayFor: () => 0,
    seen: 0,
    close: () => Promise.resolve(),
  };

  const pass = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = forward(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        // The pod's own headers, Date included, reach the client as they would through a real ingress.
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/html' }).end(PAGE(502));
      else res.destroy();
    });
    req.pipe(upstream);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    ingress.seen++;
    if (ingress.resetNext > 0) {
      ingress.resetNext--;
      req.socket.destroy();
      return;
    }
    if (ingress.failNext.count > 0) {
      ingress.failNext.count--;
      res.writeHead(ingress.failNext.status, { 'content-type': 'text/html' }).end(PAGE(ingress.failNext.status));
      return;
    }
    const delay = ingress.delayFor(new URL(req.url ?? '/', 'http://ingress.invalid').pathname);
    if (delay > 0) setTimeout(() => pass(req, res), delay).unref();
    else pass(req, res);
  };

  let server;
  if (options.tls) {
    const now = new Date();
    const notBefore = new Date(Math.min(now.getTime(), options.tls.notAfter.getTime()) - 24 * 3600_000);
    const pems = await generate([{ name: 'commonName', value: options.tls.commonName ?? 'caracal.sim.invalid' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: notBefore,
      notAfterDate: options.tls.notAfter,
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 7, ip: '127.0.0.1' },
            { type: 2, value: 'localhost' },
          ],
        },
      ],
    });
    certificate = pems.cert;
    server = createHttpsServer({ key: pems.private, cert: pems.cert }, handle);
  } else {
    server = createHttpServer(handle);
  }
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  ingress.url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  ingress.certificate = certificate;
  ingress.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return ingress;
}
