// The one TCP proxy of the sandbox and the tests. The sandbox puts it in front of Caracal's Postgres and Redis, so an
// outage can be injected without touching the store itself (the bot's config points here, the sandbox's own control
// connections do not), and in front of several pods as a Kubernetes Service. Tests use it as a black hole and as a
// slow link. Production code never loads it (.dependency-cruiser.cjs).
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * refuse: the port is closed, so clients get ECONNREFUSED at once (the store is gone, as after a failover).
 * blackhole: connections are accepted and never answered, as when a firewall drops the packets; clients wait
 * for their own timeouts.
 */
export type DownMode = 'refuse' | 'blackhole';

export interface TcpTarget {
  host: string;
  port: number;
}

export interface TcpProxyOptions {
  startDown?: DownMode;
  /** Answers from the target arrive at about this many bytes per ms (a slow link): a read then takes a known time. */
  bytesPerMs?: number;
}

export interface TcpProxy {
  readonly host: string;
  readonly port: number;
  /** Where traffic goes when the proxy is up: each new connection to the next one in turn. */
  readonly targets: readonly TcpTarget[];
  isDown(): boolean;
  /** Cut every open connection, then refuse or black-hole new ones. */
  down(mode?: DownMode): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
  /** Connections accepted so far, whatever became of them (a black hole counts the clients it holds). */
  accepted(): number;
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

/** Target to client, no faster than `bytesPerMs`: each chunk holds the next one back for the time it would take. */
function throttle(upstream: Socket, client: Socket, bytesPerMs: number): void {
  upstream.on('data', (chunk: Buffer) => {
    upstream.pause();
    client.write(chunk);
    setTimeout(() => upstream.resume(), Math.ceil(chunk.length / bytesPerMs));
  });
  upstream.on('end', () => client.end());
}

export async function startTcpProxy(to: TcpTarget | readonly TcpTarget[], options: TcpProxyOptions = {}): Promise<TcpProxy> {
  const targets: readonly TcpTarget[] = 'port' in to ? [to] : to;
  if (targets.length === 0) throw new Error('a TCP proxy needs at least one target');
  let mode: DownMode | null = null;
  let accepted = 0;
  let next = 0;
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
    accepted++;
    track(client);
    if (mode === 'blackhole') return; // accepted, held, never answered
    if (mode !== null) {
      client.destroy();
      return;
    }
    const target = targets[next++ % targets.length];
    const upstream = createConnection(target.port, target.host);
    track(upstream);
    client.pipe(upstream);
    if (options.bytesPerMs) throttle(upstream, client, options.bytesPerMs);
    else upstream.pipe(client);
    client.on('close', () => upstream.destroy());
    // A target that hangs up cleanly has its last bytes delivered (end flushes them); a reset is passed on as one.
    upstream.on('close', (hadError) => (hadError ? client.destroy() : client.end()));
  });
  // The port is fixed once chosen: the bot's config names it, so `up()` must come back on the same one.
  const port = await listen(server, 0);
  const proxy: TcpProxy = {
    host: HOST,
    port,
    targets,
    isDown: () => mode !== null,
    async down(nextMode = 'refuse') {
      mode = nextMode;
      cutAll();
      if (nextMode === 'refuse') await stop(server);
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
    accepted: () => accepted,
  };
  if (options.startDown) await proxy.down(options.startDown);
  return proxy;
}
