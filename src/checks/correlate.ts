// Correlates a report's findings so that a root cause comes first with what it explains grouped under it, and each
// remedy is said once. Pure: results in, findings out. Today's roots are the two stores every service depends on
// (caracal-ops.md §10 failure matrix): when one is down, API/Coordinator 500s, failing readiness, unreadable
// outboxes and streams, stale snapshots are its consequences, not separate incidents.
import type { CheckResult } from '../domain/check-result.ts';

export interface Finding {
  result: CheckResult;
  /** Other non-passing checks this one explains, in report order. */
  consequences: CheckResult[];
  /** For a root that is down: the cause each consequence is shown with (e.g. "Redis is down (redis.reachable)"). */
  cause?: string;
  /** Remedy sentences of the consequences that add something to the root's own remedy, each once. */
  extraRemedies: string[];
}

interface Root {
  check: string;
  /** How a consequence names this dependency in its summary, remedy or failure-matrix rows. */
  mentions: RegExp;
  /** Remedy sentences that only say "restore this dependency": said once, by the root. */
  restore: RegExp;
  /** Checks that cannot pass while this store is down whatever their text says (a probe that saw no answer). */
  dependents: ReadonlySet<string>;
  cause: string;
}

/** Advice that blames the network path: wrong while the store every service waits on is down. */
const NETWORK_ADVICE = /networkpolicy|may reach it|network path/i;

// Postgres first: Gateway snapshots, outboxes and the audit chain all need it; Redis failures do not stop it.
export const ROOTS: readonly Root[] = [
  {
    check: 'postgres.reachable',
    mentions: /postgres/i,
    restore: /restore postgres|see postgres\.reachable/i,
    cause: 'Postgres is down (postgres.reachable)',
    dependents: new Set([
      'postgres.migrations',
      'postgres.tables',
      'postgres.connections',
      'outbox.api',
      'outbox.coordinator',
      'audit.ingest_alerts',
      'gateway.revocation',
    ]),
  },
  {
    // API and Coordinator pass a Redis-backed rate limit before every route but /health (§15.1.1, §15.1.4).
    check: 'redis.reachable',
    mentions: /redis/i,
    restore: /restore redis|see redis\.reachable/i,
    cause: 'Redis is down (redis.reachable), not the network',
    dependents: new Set([
      'services.ready',
      'redis.streams',
      'redis.backlog',
      'redis.dead-streams',
      'audit.dlq',
      'sts.policy',
      'control.gate',
      'coordinator.stats',
      'backlog.metrics',
      'admin.auth',
      'zones',
      'services.live',
      'audit.tamper',
    ]),
  },
];

const isDown = (r: CheckResult | undefined): r is CheckResult => r?.status === 'fail' || r?.status === 'error';

function mentions(r: CheckResult, root: Root): boolean {
  return (
    root.dependents.has(r.id) ||
    root.mentions.test(r.summary) ||
    root.mentions.test(r.remedy ?? '') ||
    r.matrix.some((m) => root.mentions.test(m))
  );
}

/** Sentences of a remedy, with a per-pod prefix ("Gateway http://host:port: ") taken off so repeats compare equal. */
export function remedySentences(remedy: string | undefined): string[] {
  if (!remedy) return [];
  return remedy
    .split(/(?<=[.!?])\s+(?=[A-Z])/)
    .map((s) => s.replace(/^(STS|API|Gateway|Audit|Coordinator|Control) \S+: /, '').trim())
    .filter((s) => s.length > 0);
}

/**
 * `problems` are the non-passing results in the order the report shows them. Returns them as findings: each root
 * cause that is down first, with the problems it explains; then every other problem on its own.
 */
export function correlate(problems: readonly CheckResult[]): Finding[] {
  const claimed = new Set<string>();
  const findings: Finding[] = [];
  for (const root of ROOTS) {
    const cause = problems.find((p) => p.id === root.check);
    if (!isDown(cause)) continue;
    claimed.add(cause.id);
    const consequences = problems.filter((p) => !claimed.has(p.id) && mentions(p, root));
    for (const c of consequences) claimed.add(c.id);
    const said = new Set(remedySentences(cause.remedy));
    const extraRemedies: string[] = [];
    for (const sentence of consequences.flatMap((c) => remedySentences(c.remedy))) {
      if (root.restore.test(sentence) || NETWORK_ADVICE.test(sentence) || said.has(sentence)) continue;
      said.add(sentence);
      extraRemedies.push(sentence);
    }
    findings.push({ result: cause, consequences, extraRemedies, cause: root.cause });
  }
  for (const p of problems) if (!claimed.has(p.id)) findings.push({ result: p, consequences: [], extraRemedies: [] });
  return findings;
}
