// Where each remediation is offered (issue 12, item 1): on whichever OPEN gate has a check whose finding it fixes,
// next to that finding, not on a "home" gate. After a Redis outage of more than a minute the Coordinator and API
// /ready answer 503 `outbox_dead` / `outbox_dead_messages` (caracal-ops.md §15.1.2), so services.ready fails at
// Services: the requeue and the dead-row reset must be offered there, or the run cannot reach Evidence at all.
// One row per finding (check id + finding kind). Adding a remediation is adding its rows here.
import type { Gate } from '../domain/gates.ts';
import type { GateCheck, GateState, RunState } from '../domain/run.ts';

/** Matches every finding of the check, including a failure that names no kind (a target down, a checker bug). */
export const ANY_FINDING = '*';

export interface Placement {
  check: string;
  /** A kind from CheckResult.findings (a /ready `error` or `reason`, `dead_rows`, ...), or ANY_FINDING. */
  finding: string;
  /** The remediation action ids that fix it, offered on the gate where the check shows it. */
  fixes?: readonly string[];
  /** No action fixes it: it settles by design at this gate (the same gate: it settles by itself, re-run the checks). */
  settledAt?: Gate;
  /** Why, in one sentence, shown with the finding. */
  note: string;
  /** Read-only actions that look deeper than the check can: offered whenever the check ran on an open gate. */
  offeredWhilePassing?: boolean;
}

export const PLACEMENT: readonly Placement[] = [
  // Services: dead outbox rows keep Coordinator and API /ready at 503 until they are requeued or reset (§15.1.2).
  {
    check: 'services.ready',
    finding: 'outbox_dead',
    fixes: ['coordinator.requeue'],
    note: 'Coordinator /ready stays 503 until every dead caracal_outbox row is requeued.',
  },
  {
    check: 'services.ready',
    finding: 'outbox_dead_messages',
    fixes: ['api.outbox_reset'],
    note: 'API /ready stays 503 until the dead event_outbox rows are reset (no endpoint: break-glass SQL).',
  },
  {
    check: 'services.ready',
    finding: 'revocation_snapshot_stale',
    fixes: ['gateway.reload'],
    note: 'Once Postgres answers, a reload makes the pod fresh without waiting for its 30 s timer.',
  },
  {
    check: 'services.ready',
    finding: 'audit_dlq_threshold',
    fixes: ['audit.dlq_replay'],
    note: 'Audit /ready fails while its DLQ is over AUDIT_READY_DLQ_MAX; replaying the replayable entries lowers it.',
  },
  {
    check: 'services.ready',
    finding: 'audit_lag_threshold',
    settledAt: 'services',
    note: 'Audit ingests its backlog by itself once Redis and Postgres answer: re-run the checks.',
  },
  {
    check: 'services.ready',
    finding: 'audit_pel_oldest_threshold',
    settledAt: 'services',
    note: 'Audit reclaims its old pending entries every 30 s once Postgres answers: re-run the checks.',
  },
  // Evidence.
  {
    check: 'outbox.coordinator',
    finding: 'dead_rows',
    fixes: ['coordinator.requeue'],
    note: 'Dead rows are never retried: each needs a requeue.',
  },
  {
    check: 'outbox.coordinator',
    finding: 'not_draining',
    settledAt: 'evidence',
    note: 'Pending rows drain by themselves once Redis and the Coordinator are back: re-run the checks.',
  },
  {
    check: 'outbox.api',
    finding: 'dead_rows',
    fixes: ['api.outbox_reset'],
    note: 'Dead rows are never retried and the API has no requeue endpoint.',
  },
  {
    check: 'outbox.api',
    finding: 'not_draining',
    settledAt: 'evidence',
    note: 'Pending rows drain by themselves once Redis and the API are back: re-run the checks.',
  },
  {
    check: 'audit.dlq',
    finding: 'replayable',
    fixes: ['audit.dlq_replay'],
    note: 'Replay re-adds the replayable entries to caracal.audit.events.',
  },
  {
    check: 'audit.replay',
    finding: 'replay_files',
    fixes: ['replay.restart_pods'],
    note: 'Replay files drain only when the STS or Gateway process starts.',
  },
  // Residue Caracal never clears (§15.2.4): old entries pass as information (residue baseline) but are still evidence to
  // keep and remove, so the export is offered whenever these checks ran; new ones fail and carry it too.
  {
    check: 'redis.dead-streams',
    finding: 'dead_entries',
    fixes: ['residue.export'],
    note: 'Nothing removes dead entries: once handled, export them into the incident log, then XDEL them.',
  },
  {
    check: 'redis.dead-streams',
    finding: 'residue',
    fixes: ['residue.export'],
    note: 'Old residue passes, but is evidence to keep: export it into the incident log, then XDEL it.',
  },
  {
    check: 'audit.dlq',
    finding: 'integrity',
    fixes: ['residue.export'],
    note: 'Integrity entries are never replayed and have no delete endpoint: export them into the incident log, then XDEL them.',
  },
  {
    check: 'audit.dlq',
    finding: 'residue',
    fixes: ['residue.export'],
    note: 'Old integrity entries pass, but are evidence to keep: export them into the incident log, then XDEL them.',
  },
  {
    check: 'redis.backlog',
    finding: ANY_FINDING,
    settledAt: 'evidence',
    note: 'Lag and pending entries drain once the services read again; a missing group needs a restart (see the remedy).',
  },
  // Safety.
  // Fewer Gateway pods reached than live revocation groups: no action fixes it, the pod discovery does (issue 12 item 4).
  {
    check: 'gateway.revocation',
    finding: 'pods_not_checked',
    settledAt: 'safety',
    note: 'Point caracal.discovery.gateway at every pod (dns or endpointslice), then re-run.',
  },
  {
    check: 'gateway.revocation',
    finding: 'snapshot_stale',
    fixes: ['gateway.reload'],
    note: 'A reload on each stale pod makes its snapshot fresh at once.',
  },
  {
    check: 'audit.tamper',
    finding: ANY_FINDING,
    fixes: ['audit.verify_chain'],
    offeredWhilePassing: true,
    note: 'The counters cover only recent rows; the deep verification walks the whole chain.',
  },
];

/** The rows that apply to one check result: its failing findings, plus the read-only looks offered while it passes. */
export function placementsFor(c: Pick<GateCheck, 'checkId' | 'status' | 'findings'>): Placement[] {
  const failing = c.status !== 'pass';
  const kinds = new Set(c.findings ?? []);
  // A passing check may still name a kind (old residue judged against the run's baseline): only rows naming it match.
  return PLACEMENT.filter(
    (p) => p.check === c.checkId && (p.offeredWhilePassing || (p.finding === ANY_FINDING ? failing : kinds.has(p.finding))),
  );
}

export interface FindingFixes {
  checkId: string;
  /** Action ids offered with this check's finding(s), in table order, each once. */
  actions: string[];
  /** Findings that settle by design, with where and why. */
  settled: { finding: string; gate: Gate; note: string }[];
}

/** What each check on the gate carries: fix buttons, or where its finding settles. Checks with neither are left out. */
export function fixesOnGate(g: Pick<GateState, 'checks'>): FindingFixes[] {
  const out: FindingFixes[] = [];
  for (const c of g.checks) {
    const rows = placementsFor(c);
    const actions = [...new Set(rows.flatMap((r) => r.fixes ?? []))];
    const settled = rows.flatMap((r) => (r.settledAt ? [{ finding: r.finding, gate: r.settledAt, note: r.note }] : []));
    if (actions.length > 0 || settled.length > 0) out.push({ checkId: c.checkId, actions, settled });
  }
  return out;
}

/**
 * Why a click on `actionId` for `gate` must not run, or undefined when the table places that action on that gate
 * now: the gate is open and one of its checks shows a finding the action fixes.
 */
export function placementRefusal(
  run: Pick<RunState, 'status' | 'gates'>,
  gate: Gate,
  actionId: string,
  title = actionId,
): string | undefined {
  if (run.status !== 'active') return `This run has already ended (${run.status}).`;
  const g = run.gates.find((x) => x.gate === gate);
  if (!g || g.status !== 'open')
    return `*${title}* is not offered there: that gate is not open. Use the button next to the finding on the open gate.`;
  if (fixesOnGate(g).some((f) => f.actions.includes(actionId))) return undefined;
  return `*${title}* is not offered on this gate now: none of its latest check results shows a finding it fixes. Run checks to refresh them.`;
}
