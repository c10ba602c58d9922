// Network faults for target tests: a port nobody listens on, a server that accepts and never answers, and a slow
// link in front of a real server. The last two are the sandbox's one TCP proxy (src/sandbox/caracal/proxy.ts).
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { startTcpProxy, type TcpProxy } from '../../src/sandbox/caracal/proxy.ts';

/** A local port that refuses connections (bound, then closed). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** A TCP server that accepts connections and never sends a byte; `accepted()` counts the connections it took. */
export async function blackHole(): Promise<TcpProxy & { url: string }> {
  // Down for good: the target behind it is never dialled.
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: await closedPort() }, { startDown: 'blackhole' });
  return { ...proxy, url: `http://${proxy.host}:${proxy.port}` };
}

/**
 * A TCP proxy to `host`:`port` whose answers arrive at about `bytesPerMs` (a slow link to a database): a read of
 * a given size then takes a given time whatever the machine's speed, so a test can act while it is under way.
 */
export function slowLink(host: string, port: number, bytesPerMs: number): Promise<TcpProxy> {
  return startTcpProxy({ host, port }, { bytesPerMs });
}
