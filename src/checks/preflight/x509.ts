// Judging one certificate's validity window, for a service's served certificate and for TLS_CERT_FILE alike.
import type { X509Certificate } from 'node:crypto';
import type { Verdict } from '../../domain/check-result.ts';

const DAY_MS = 24 * 3600_000;

export interface CertificateVerdict {
  status: Verdict;
  text: string;
  daysLeft: number;
}

export function judgeCertificate(cert: X509Certificate, now: Date, warnDays: number): CertificateVerdict {
  const notAfter = new Date(cert.validTo);
  const notBefore = new Date(cert.validFrom);
  const daysLeft = Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
  const subject = cert.subject.replace(/\n/g, ', ') || '(no subject)';
  const until = `valid until ${notAfter.toISOString()}`;
  if (notAfter.getTime() <= now.getTime()) {
    const daysAgo = Math.floor((now.getTime() - notAfter.getTime()) / DAY_MS);
    return { status: 'fail', daysLeft, text: `${subject}: expired ${daysAgo === 0 ? 'today' : `${daysAgo} day(s) ago`} (${until})` };
  }
  if (notBefore.getTime() > now.getTime()) {
    return { status: 'fail', daysLeft, text: `${subject}: not valid before ${notBefore.toISOString()} (check the clocks)` };
  }
  if (daysLeft < warnDays)
    return { status: 'warn', daysLeft, text: `${subject}: expires in ${daysLeft} day(s) (${until}), warning at ${warnDays}` };
  return { status: 'pass', daysLeft, text: `${subject}: ${daysLeft} day(s) left (${until})` };
}

export const RENEW =
  'Renew the certificate before it expires (cert-manager: check the Certificate resource and its issuer; by hand: ' +
  'replace the TLS Secret and restart or reload whatever serves it). Clients reject an expired certificate outright.';
