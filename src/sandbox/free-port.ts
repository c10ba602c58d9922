// A local port nobody listens on: bound on 127.0.0.1 to let the system pick it, then closed. For a process the
// sandbox starts on a port of its choosing (Prometheus, Alertmanager), and for tests that need a refused connection.
import { createServer, type AddressInfo } from 'node:net';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
