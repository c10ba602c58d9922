// What Caracal v1.0 keeps in Redis streams (caracal-ops.md §3.1, §3.3, §14.5): which consumer groups the services
// create and so must exist, which ones nobody reads, and how each service takes back pending entries.

/** Caracal's streams and the groups the services create themselves (and so must exist), with their owner. */
export const REQUIRED: Record<string, Record<string, string>> = {
  'caracal.audit.events': { 'audit-ingestor': 'Audit' },
  'caracal.audit.events.dlq': {},
  'caracal.policy.invalidate': { 'opa-engine': 'STS' },
  'caracal.sessions.revoke': { 'sts-revocation': 'STS' },
  'caracal.keys.invalidate': { 'sts-keys': 'STS' },
  'caracal.agents.lifecycle': { 'coordinator-relay': 'Coordinator' },
  'caracal.invocations.lifecycle': {},
  'caracal.delegations.invalidate': {},
};

/** Groups with no reader in OSS (provisioned only) or created by the resource-server SDK: their lag only grows. */
export const INFORMATIONAL = new Set([
  'siem-export',
  'audit-dlq-observer',
  'invocations-observer',
  'delegations-observer',
  'resource-revocation',
  'resource-delegation-invalidation',
]);

/** Every Gateway pod creates `gateway-revocation:<hostname>` on the revoke stream, so every pod sees every message. */
export const GATEWAY = 'gateway-revocation:';
export const REVOKE = 'caracal.sessions.revoke';

/** Where STS and Gateway put a message after 5 failed handlings; nothing reads them. */
export const DEAD = ['caracal.sessions.revoke.dead', 'caracal.policy.invalidate.dead', 'caracal.keys.invalidate.dead'];
export const AUDIT_DLQ = 'caracal.audit.events.dlq';

/** How each service takes back entries left pending by a dead consumer (§3.3). */
export const RECLAIM: Record<string, string> = {
  Audit:
    'Audit reclaims entries idle 30 s every 30 s, so a stuck PEL usually means Postgres errors (after 8 ' +
    'deliveries an entry goes to the DLQ).',
  STS: 'STS reclaims idle entries only at startup, so restarting one STS pod picks them up.',
  Gateway: 'each Gateway pod reclaims its own group every 30 s; a pod that is gone never will.',
  Coordinator: 'the lifecycle relay reclaims entries idle 60 s on every poll.',
};

/** What to do about a required group that is gone; restarting is the fix, and it costs an evidence gap. */
export function missingRemedy(service: string, stream: string): string {
  const base =
    `Restart ${service}: a running service never re-creates a deleted group, only startup does. ` +
    `The new group starts at $, so every entry written to ${stream} while the group was missing is ` +
    'skipped silently: an evidence gap to record in the incident log.';
  return service !== 'Audit'
    ? base
    : `${base} To re-read instead, create the group at an ID from before the gap (XGROUP CREATE ${stream} ` +
        'audit-ingestor <id>) before restarting; Audit treats already-stored events as benign duplicates.';
}
