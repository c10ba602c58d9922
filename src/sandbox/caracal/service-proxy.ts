// The sandbox's Kubernetes Service in front of several pods: one address, each new connection to the next pod in
// turn (kube-proxy balances connections, not requests). A client keeping its connection alive keeps talking to
// one pod, as with a real ClusterIP Service, so a stale pod behind it is seen only now and then, or never.
import { createConnection, createServer, type AddressInfo, type Socket } from 'node:net';

export interface ServiceProxy {
  url: string;
  close(): Promise<void>;
}

export async function startServiceProxy(podUrls: readonly string[]): Promise<ServiceProxy> {
  const targets = podUrls.map((u) => new URL(u));
  if (targets.length === 0) throw new Error('a Service needs at least one pod');
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  let next = 0;
  const server = createServer((client) => {
    track(client);
    const t = targets[next++ % targets.length];
    const upstream = createConnection({ host: t.hostname, port: Number(t.port) });
    track(upstream);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
