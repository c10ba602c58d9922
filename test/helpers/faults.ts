// Network faults for target tests: a port nobody listens on, a server that accepts and never answers, and a slow
// link in front of a real server. The last two are the sandbox's one TCP proxy (src/sandbox/caracal/proxy.ts).
import { startTcpProxy, type TcpProxy } from '../../src/sandbox/caracal/proxy.ts';
import { freePort } from './free-port.ts';

/** A local port that refuses connections: a free one, nobody listens on it. */
export const closedPort = freePort;

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
