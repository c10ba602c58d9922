// The sandbox's TCP proxy: traffic flows while up; down() cuts open connections and refuses (or black-holes) new
// ones; up() comes back on the same port.
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
});
