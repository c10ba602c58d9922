// tls.certificates: the certificate each https service URL serves, read from the TLS handshake itself (node:tls),
// so what is judged is what clients get, whatever terminates TLS (the service, an ingress, a mesh). Expired fails,
// near expiry (certificateExpiryWarnDays, 14 by default) warns, one the bot cannot verify warns.
import { readFile } from 'node:fs/promises';
import { connect, type PeerCertificate } from 'node:tls';
import { isIP } from 'node:net';
import { X509Certificate } from 'node:crypto';
import { SERVICES, type ServiceName } from '../../config.ts';
import type { CheckContext, CheckDefinition } from '../types.ts';
import { combine, type Finding } from '../http/findings.ts';
import { podLabel } from '../http/metrics-json.ts';
import { judgeCertificate, RENEW } from './x509.ts';

interface Served {
  cert: X509Certificate;
  authorized: boolean;
  authorizationError: string | undefined;
}

function handshake(url: URL, ca: string | undefined, signal: AbortSignal): Promise<Served> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const socket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ...(ca ? { ca } : {}),
      // Read the certificate even when it is expired or untrusted: judging it is the point.
      rejectUnauthorized: false,
    });
    const onAbort = () => socket.destroy(new Error('no TLS handshake before the check timed out'));
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    socket.once('secureConnect', () => {
      const peer: PeerCertificate = socket.getPeerCertificate();
      done();
      socket.end();
      if (!peer.raw) return reject(new Error('the server sent no certificate'));
      resolve({
        cert: new X509Certificate(peer.raw),
        authorized: socket.authorized,
        authorizationError: socket.authorizationError?.message,
      });
    });
    socket.once('error', (err: Error) => {
      done();
      reject(err);
    });
  });
}

async function probe(ctx: CheckContext, service: ServiceName, base: string, ca: string | undefined, signal: AbortSignal): Promise<Finding> {
  const label = podLabel(service, base);
  let served: Served;
  try {
    served = await handshake(new URL(base), ca, signal);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      status: 'fail',
      line: `${label}: TLS handshake failed: ${code ?? (err as Error).message}`,
      remedy: `${label}: see services.live; check what terminates TLS for it.`,
    };
  }
  const verdict = judgeCertificate(served.cert, ctx.now(), ctx.thresholds.certificateExpiryWarnDays);
  const line = `${label}: ${verdict.text}`;
  if (verdict.status !== 'pass') return { status: verdict.status, line, remedy: `${label}: ${RENEW}` };
  if (!served.authorized) {
    return {
      status: 'warn',
      line: `${line}; not trusted by the bot (${served.authorizationError ?? 'unverified'})`,
      remedy:
        "Give the bot the CA that signs the services' certificates: caracal.preflight.caFile (and NODE_EXTRA_CA_CERTS for its HTTP reads).",
    };
  }
  return { status: 'pass', line };
}

export const tlsCertificates: CheckDefinition = {
  id: 'tls.certificates',
  title: 'TLS certificate expiry',
  gates: ['services'],
  reads: 'the certificate served on every https URL under caracal.services (TLS handshake)',
  async run(ctx, signal) {
    const targets = SERVICES.flatMap((service) =>
      ctx.caracal.services[service].filter((u) => u.startsWith('https:')).map((u) => [service, u] as const),
    );
    if (targets.length === 0) {
      return { status: 'pass', summary: 'No service URL uses https: no certificate to check.', metrics: { 'urls.https': 0 } };
    }
    const caFile = ctx.caracal.preflight.caFile;
    let ca: string | undefined;
    if (caFile) {
      try {
        ca = await readFile(caFile, 'utf8');
      } catch (err) {
        return {
          status: 'fail',
          summary: `caracal.preflight.caFile ${caFile} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
          remedy: 'Fix the path or give the bot read access.',
        };
      }
    }
    const findings = await Promise.all(targets.map(([service, url]) => probe(ctx, service, url, ca, signal)));
    return combine(
      findings,
      {
        pass: `All ${targets.length} https URLs serve a trusted certificate with more than ${ctx.thresholds.certificateExpiryWarnDays} days left.`,
        lead: 'TLS certificates',
      },
      { 'urls.https': targets.length },
    );
  },
};
