// A TCP proxy the sandbox puts in front of Caracal's Postgres and Redis, so an outage can be injected without
// touching the store itself: the bot's config points here, the sandbox's own control connections do not.
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * refuse: the port is closed, so clients get ECONNREFUSED at once (the store is gone, as after a failover).
 * blackhole: connections are accepted and never answered, as when a firewall drops the packets; clients wait
 * for their own timeouts.
 */
export type DownMode = 'refuse' | 'blackhole';

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Where traffic goes when the proxy is up. */
  readonly target: { host: string; port: number };
  isDown(): boolean;
  /** Cut every open connection, then refuse or black-hole new ones. */
  down(mode?: DownMode): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

const HOST = '127.0.0.1';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, HOST, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

export async function startTcpProxy(target: { host: string; port: number }, options: { startDown?: DownMode } = {}): Promise<TcpProxy> {
  let mode: DownMode | null = null;
  const sockets = new Set<Socket>();
  const track = (s: Socket): void => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    // A reset from either side is normal here (that is what an outage is); the peer sees the close.
    s.on('error', () => s.destroy());
  };
  const cutAll = (): void => {
    for (const s of sockets) s.destroy();
  };
  const server = createServer((client) => {
    track(client);
    if (mode === 'blackhole') return; // accepted, held, never answered
    if (mode !== null) {
      client.destroy();
      return;
    }
    const upstream = createConnection(target.port, target.host);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  // The port is fixed once chosen: the bot's config names it, so `up()` must come back on the same one.
  const port = await listen(server, 0);
  const proxy: TcpProxy = {
    host: HOST,
    port,
    target,
    isDown: () => mode !== null,
    async down(next = 'refuse') {
      mode = next;
      cutAll();
      if (next === 'refuse') await stop(server);
      else if (!server.listening) await listen(server, port);
    },
    async up() {
      mode = null;
      // Black-holed sockets never reached the store; drop them so their clients reconnect for real.
      cutAll();
      if (!server.listening) await listen(server, port);
    },
    async close() {
      mode = 'refuse';
      cutAll();
      await stop(server);
    },
  };
  if (options.startDown) await proxy.down(options.startDown);
  return proxy;
}
