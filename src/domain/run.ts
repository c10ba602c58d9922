// The recovery run as the gate machine sees it: plain data, loaded from and saved to the state database.
import type { ChainFinding } from './chain-verification.ts';
import type { FreezeItem, Gate } from './gates.ts';
import type { CheckStatus } from './check-result.ts';

export type GateStatus = 'locked' | 'open' | 'confirmed' | 'overridden';
export type RunStatus = 'active' | 'resumed' | 'cancelled';

export interface GateCheck {
  checkId: string;
  status: CheckStatus;
  summary: string;
  /** When the check run began: of two results for one check, the later-started one stands, whichever finished last. */
  startedAt: Date;
  finishedAt: Date;
  /** Kinds of what did not pass (CheckResult.findings): where a remediation is offered (remediation/placement.ts). */
  findings?: readonly string[];
}

/** An approver's Confirm vote: it counts only while fresh and while the gate's checks stay green. */
export interface ConfirmVote {
  userId: string;
  at: Date;
}

export interface PendingOverride {
  id: string;
  requestedBy: string;
  reason: string;
  at: Date;
}

export interface GateState {
  gate: Gate;
  status: GateStatus;
  claimedBy: string | undefined;
  doneBy: string | undefined;
  doneAt: Date | undefined;
  openedAt: Date | undefined;
  /** Freeze only: which checklist items are ticked, and by whom. */
  checklist: Partial<Record<FreezeItem, string>>;
  checks: GateCheck[];
  /** Distinct approvers who confirmed so far (gates that need more than one). */
  confirmVotes: ConfirmVote[];
  override: PendingOverride | undefined;
}

export const DRILL_MARKERS = ['injected', 'alert_fired', 'recovered'] as const;
export type DrillMarker = (typeof DRILL_MARKERS)[number];

export interface RunState {
  id: string;
  channelId: string;
  title: string;
  kind: 'recovery' | 'drill';
  scenario: string | undefined;
  status: RunStatus;
  startedBy: string;
  startedAt: Date;
  endedAt: Date | undefined;
  dashboardTs: string | undefined;
  version: number;
  gates: GateState[];
  /** Drill runs only: when each marker was recorded (fault injected = t0, alert fired = detection, recovered). */
  drillMarks: Partial<Record<DrillMarker, Date>>;
  /** The Caracal deployment this run recovers (config `environments`); undefined: the default environment. */
  environment?: string;
  /** The run's latest deep audit-chain verification (evidence for Resume), with the acknowledgements of its findings. */
  verification?: RunVerification | undefined;
}

/** An approver's written acknowledgement of a deep verification finding, for Resume. */
export interface FindingAck {
  userId: string;
  reason: string;
  at: Date;
}

export interface RunVerification {
  /** The `action_finished` event that recorded it: acknowledgements name it, so a later verification needs its own. */
  eventId: number;
  at: Date;
  actor: string;
  clean: boolean;
  hmacChecked: boolean;
  rowsChecked: number;
  findings: ChainFinding[];
  acks: FindingAck[];
}

/** How many distinct approvers must acknowledge a deep verification finding before Resume (issue 12). */
export const FINDING_ACKS_REQUIRED = 2;

/** Approvers who acknowledged the current verification's findings, each once. */
export function findingAckers(v: RunVerification): string[] {
  return [...new Set(v.acks.map((a) => a.userId))];
}

export function currentGate(run: RunState): GateState | undefined {
  return run.gates.find((g) => g.status === 'open');
}

export function gateOf(run: RunState, gate: Gate): GateState {
  const found = run.gates.find((g) => g.gate === gate);
  if (!found) throw new Error(`run ${run.id} has no gate ${gate}`);
  return found;
}

export function isDone(g: GateState): boolean {
  return g.status === 'confirmed' || g.status === 'overridden';
}
