// The sandbox's TCP proxy: traffic flows while up; down() cuts open connections and refuses (or black-holes) new
// ones; up() comes back on the same port. In front of several targets it takes them in turn, one per connection
// (a Service); with bytesPerMs its answers come at that pace (a slow link).
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpProxy, type TcpProxy } from '../../../src/sandbox/caracal/proxy.ts';

/** Connect, send `ping`, and report what happened: the echo, a refusal, a reset, or silence. */
function roundTrip(port: number, waitMs = 300): Promise<string> {
  return new Promise((resolve) => {
    const socket: Socket = createConnection(port, '127.0.0.1');
    const done = (what: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(what);
    };
    const timer = setTimeout(() => done('silence'), waitMs);
    socket.on('connect', () => socket.write('ping'));
    socket.on('data', (d) => done(`echo:${d.toString()}`));
    socket.on('error', (err: NodeJS.ErrnoException) => done(err.code ?? 'error'));
    socket.on('close', () => done('closed'));
  });
}

describe('sandbox TCP proxy', () => {
  let echo: Server;
  let proxy: TcpProxy;
  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    proxy = await startTcpProxy({ host: '127.0.0.1', port: (echo.address() as AddressInfo).port });
  });
  afterAll(async () => {
    await proxy.close();
    await new Promise<void>((r) => echo.close(() => r()));
  });

  it('passes traffic, refuses while down, and comes back on the same port', async () => {
    expect(await roundTrip(proxy.port)).toBe('echo:ping');
    await proxy.down();
    expect(proxy.isDown()).toBe(true);
    expect(await roundTrip(proxy.port)).toBe('ECONNREFUSED');
    await proxy.up();
    expect(await roundTrip(proxy.port)).toBe('echo:ping');
  });

  it('cuts connections that are open when it goes down', async () => {
    const socket = createConnection(proxy.port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    socket.on('error', () => undefined);
    await proxy.down();
    await closed;
    await proxy.up();
  });

  it('black-holes: accepts and never answers, until up() drops those connections', async () => {
    await proxy.down('blackhole');
    expect(await roundTrip(proxy.port)).toBe('silence');
    const socket = createConnection(proxy.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((r) => socket.once('connect', r));
    const closed = new Promise((r) => socket.once('close', r));
    await proxy.up();
    await closed;
    expect(await roundTrip(proxy.port)).toBe('echo:ping');
  });

  it('counts the connections it accepted, held ones included', async () => {
    const before = proxy.accepted();
    await proxy.down('blackhole');
    expect(await roundTrip(proxy.port)).toBe('silence');
    await proxy.up();
    expect(await roundTrip(proxy.port)).toBe('echo:ping');
    expect(proxy.accepted() - before).toBe(2);
  });
});

describe('sandbox TCP proxy in front of several targets, and as a slow link', () => {
  const named = async (name: string): Promise<Server> => {
    const server = createServer((s) => s.resume().end(name)); // resumed: it sees the peer close, so close() returns
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return server;
  };
  const portOf = (s: Server) => (s.address() as AddressInfo).port;

  it('sends each new connection to the next target in turn', async () => {
    const pods = await Promise.all(['pod-a', 'pod-b'].map(named));
    const service = await startTcpProxy(pods.map((p) => ({ host: '127.0.0.1', port: portOf(p) })));
    const answers: string[] = [];
    for (let i = 0; i < 4; i++) answers.push(await roundTrip(service.port));
    await service.close();
    for (const p of pods) await new Promise<void>((r) => p.close(() => r()));
    expect(answers).toEqual(['echo:pod-a', 'echo:pod-b', 'echo:pod-a', 'echo:pod-b']);
  });

  it('paces the answers of a slow link: a chunk holds the next one back for its size divided by bytesPerMs', async () => {
    // 16 KiB, then one more byte 50 ms later: at 16 bytes per ms the byte cannot arrive before about a second.
    const upstream = createServer((s) => {
      s.write(Buffer.alloc(16 * 1024, 1));
      setTimeout(() => s.end('!'), 50);
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const slow = await startTcpProxy({ host: '127.0.0.1', port: portOf(upstream) }, { bytesPerMs: 16 });
    const started = performance.now();
    const received = await new Promise<number>((resolve) => {
      let n = 0;
      const socket = createConnection(slow.port, '127.0.0.1');
      socket.on('data', (d) => (n += d.length));
      socket.on('close', () => resolve(n));
    });
    const tookMs = performance.now() - started;
    await slow.close();
    await new Promise<void>((r) => upstream.close(() => r()));
    expect(received).toBe(16 * 1024 + 1);
    expect(tookMs).toBeGreaterThanOrEqual(900);
  });
});
