// The sandbox's Kubernetes Service in front of several pods: one address, each new connection to the next pod in
// turn (kube-proxy balances connections, not requests). A client keeping its connection alive keeps talking to
// one pod, as with a real ClusterIP Service, so a stale pod behind it is seen only now and then, or never.
import { startTcpProxy } from './proxy.ts';

export interface ServiceProxy {
  url: string;
  close(): Promise<void>;
}

export async function startServiceProxy(podUrls: readonly string[]): Promise<ServiceProxy> {
  if (podUrls.length === 0) throw new Error('a Service needs at least one pod');
  const proxy = await startTcpProxy(podUrls.map((u) => new URL(u)).map((u) => ({ host: u.hostname, port: Number(u.port) })));
  return { url: `http://${proxy.host}:${proxy.port}`, close: () => proxy.close() };
}
