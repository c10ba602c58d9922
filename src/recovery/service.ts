// Applies commands to recovery runs: load, decide (pure), then one transaction with the new state,
// its events and its pending Slack deliveries. A concurrent change makes us re-read and decide again.
import type { Gate } from '../domain/gates.ts';
import type { Db, Queryable } from '../store/db.ts';
import { enqueueDelivery } from '../store/deliveries.ts';
import { appendEvent, lockRunLog } from '../store/events.ts';
import { findRunId, insertRun, loadRun, lockAndReadRun, saveRun, VersionConflict } from '../store/runs.ts';
import { APPROVER_COMMANDS, decide, type Command, type GatePolicy } from './machine.ts';
import { withData, type EventData, type EventDraft } from '../domain/events.ts';
import { GATES } from '../domain/gates.ts';
import type { DrillMarker, RunState } from '../domain/run.ts';
import { scrubDeep, type Scrub } from '../redact.ts';
import { describeBaseline, type ResidueBaseline } from '../checks/residue/baseline.ts';
import { insertRunBaseline } from '../store/run-baselines.ts';
import { splitLines } from './split-lines.ts';
import { eventWithKey } from '../store/request-keys.ts';

export interface RecoveryDeps {
  db: Db;
  policy: GatePolicy;
  isApprover(userId: string): Promise<boolean>;
  now(): Date;
  newId(): string;
  /** Who may start runs, and where drills may run (issue 18: anyone must not be able to block an incident channel). */
  startPolicy: StartPolicy;
  /** Called after each commit that queued deliveries, so the dispatcher can run now rather than at its next tick. */
  onDeliveriesQueued?(): void;
  /** The one scrubber: every stored event payload passes it (a pasted token, an echoed header). */
  scrub?: Scrub;
  /** Caracal alerts of severity critical firing in a channel: Resume needs each approver to acknowledge them. */
  criticalAlerts?(channelId: string): Promise<string[]>;
  /** The environment a run started in this channel recovers when none is named (the channel's default). */
  environmentFor?(channelId: string): string;
  /**
   * Reads the residue baseline (issue 12) when a run starts: what Caracal's only-growing stores already hold, in the
   * run's environment. Bounded in time by the caller; what it cannot read it says so in the baseline.
   */
  captureBaseline?(environment: string): Promise<ResidueBaseline>;
}

export interface StartPolicy {
  who: 'approvers' | 'anyone';
  /** Channels where drills may run; none means no drills anywhere. */
  drillChannels: readonly string[];
}

/** Where a click came from: the run's own channel and, for dashboard buttons, the run's own dashboard message. */
export interface ClickOrigin {
  channelId: string | undefined;
  messageTs?: string | undefined;
  /**
   * The click's own id (issue 14 item 8, issue 18 item 3): a click is saved before its ack, so a redelivery of one
   * whose ack was lost (Socket Mode, a proxy) must find it applied and not apply it again on changed state.
   */
  requestKey?: string | undefined;
}

/** The key rides in the first event's data, where eventWithKey finds it. */
function withRequestKey(events: readonly EventDraft[], key: string): EventDraft[] {
  return events.map((e, i) => (i === 0 ? withData(e, (d) => ({ ...d, requestKey: key })) : e));
}

/** Said to a click from elsewhere; it reveals nothing about the run (not even that it exists). */
export const NOT_THIS_CHANNELS_RUN = 'This button does not belong to a run of this channel.';

export function clickBelongsToRun(run: Pick<RunState, 'channelId' | 'dashboardTs'>, origin: ClickOrigin): boolean {
  if (origin.channelId !== run.channelId) return false;
  return origin.messageTs === undefined || run.dashboardTs === undefined || origin.messageTs === run.dashboardTs;
}

export type ActResult = { ok: true; run: RunState } | { ok: false; kind: 'conflict' | 'denied' | 'not_found'; reason: string };

/** Events shown on the dashboard only: the thread already says it in the entry before. */
const NOT_IN_THREAD = new Set(['gate_opened']);
const MAX_ATTEMPTS = 8;

export async function recordEvents(
  q: Queryable,
  runId: string,
  at: Date,
  events: readonly EventDraft[],
  dashboard: boolean,
): Promise<void> {
  await lockRunLog(q, runId); // a run's events commit in id order, so its thread is posted in order
  for (const e of events) {
    const id = await appendEvent(q, runId, at, e);
    if (!NOT_IN_THREAD.has(e.type)) await enqueueDelivery(q, runId, 'thread', id);
  }
  if (dashboard) await enqueueDelivery(q, runId, 'dashboard');
}

/** About one Slack section of exported lines per thread entry. */
const EXPORT_PART_CHARS = 2500;

export function createRecoveryService(deps: RecoveryDeps) {
  const queued = () => deps.onDeliveriesQueued?.();
  const record = (tx: Queryable, runId: string, at: Date, events: readonly EventDraft[], dashboard: boolean) =>
    recordEvents(tx, runId, at, deps.scrub ? events.map((e) => withData(e, (d) => scrubDeep(d, deps.scrub!))) : events, dashboard);

  async function mayStart(input: { channelId: string; userId: string; kind: 'recovery' | 'drill' }): Promise<string | undefined> {
    if (input.kind === 'drill' && !deps.startPolicy.drillChannels.includes(input.channelId)) {
      return 'Drills run only in the channels listed in `recovery.drillChannels` of the configuration, so that a rehearsal never blocks an incident channel.';
    }
    if (deps.startPolicy.who === 'approvers' && !(await deps.isApprover(input.userId))) {
      return `Only configured approvers can start a ${input.kind === 'drill' ? 'drill' : 'recovery run'}. Ask one of them, or use \`/caracal status\` to look.`;
    }
    return undefined;
  }

  async function startRun(input: {
    channelId: string;
    title: string;
    userId: string;
    kind?: 'recovery' | 'drill';
    scenario?: string;
    origin?: Record<string, unknown>;
    /** The Caracal deployment to recover; default the channel's (config `environments`). */
    environment?: string;
  }): Promise<ActResult> {
    const refusal = await mayStart({ channelId: input.channelId, userId: input.userId, kind: input.kind ?? 'recovery' });
    if (refusal) return { ok: false, kind: 'denied', reason: refusal };
    const environment = input.environment ?? deps.environmentFor?.(input.channelId) ?? 'default';
    const baseline = deps.captureBaseline ? await deps.captureBaseline(environment) : undefined;
    const now = deps.now();
    const run: RunState = {
      id: deps.newId(),
      channelId: input.channelId,
      title: input.title,
      kind: input.kind ?? 'recovery',
      scenario: input.scenario,
      status: 'active',
      startedBy: input.userId,
      startedAt: now,
      endedAt: undefined,
      dashboardTs: undefined,
      version: 1,
      drillMarks: {},
      environment,
      gates: GATES.map((gate, i) => ({
        gate,
        status: i === 0 ? 'open' : 'locked',
        claimedBy: undefined,
        doneBy: undefined,
        doneAt: undefined,
        openedAt: i === 0 ? now : undefined,
        checklist: {},
        checks: [],
        confirmVotes: [],
        override: undefined,
      })),
    };
    try {
      await deps.db.transaction(async (tx) => {
        const active = await findRunId(tx, input.channelId, 'active');
        if (active) throw new VersionConflict(active);
        await insertRun(tx, run);
        const started: EventDraft = {
          type: 'run_started',
          gate: undefined,
          actor: input.userId,
          data: { title: input.title, kind: run.kind, scenario: input.scenario ?? null, environment: run.environment, ...input.origin },
        };
        if (baseline) await insertRunBaseline(tx, run.id, baseline);
        const recorded: EventDraft[] = baseline
          ? [
              {
                type: 'baseline_recorded',
                gate: undefined,
                actor: input.userId,
                data: { takenAt: baseline.takenAt, lines: describeBaseline(baseline) },
              },
            ]
          : [];
        await record(tx, run.id, now, [started, ...recorded], true);
      });
    } catch (err) {
      // The unique index on active runs settles two simultaneous starts in one channel.
      if (err instanceof VersionConflict || (err as { code?: string }).code === '23505') {
        return {
          ok: false,
          kind: 'conflict',
          reason: 'A recovery run is already active in this channel: use its dashboard, or `/caracal timeline`.',
        };
      }
      throw err;
    }
    queued();
    return { ok: true, run };
  }

  /**
   * What a Confirm is decided with besides the run: earlier voters looked up again (a removed approver's vote
   * lapses), and on Resume the critical alerts still firing in the channel.
   */
  async function confirmLookups(
    run: RunState,
    gate: Gate,
    command: Extract<Command, { type: 'confirm' }>,
  ): Promise<{ currentApprovers: Set<string>; command: Command }> {
    const voters = run.gates.find((g) => g.gate === gate)?.confirmVotes.map((v) => v.userId) ?? [];
    const still = await Promise.all(voters.map(async (v) => ((await deps.isApprover(v)) ? v : undefined)));
    const currentApprovers = new Set(still.filter((v): v is string => v !== undefined));
    const firing = gate === 'resume' && deps.criticalAlerts ? { firingCritical: await deps.criticalAlerts(run.channelId) } : {};
    return { currentApprovers, command: { ...command, ...firing } };
  }

  /**
   * Apply a gate command. `origin` is the click's channel and message: a click that does not come from the run's own
   * channel (and dashboard) is refused without a word about the run, and not logged in it.
   */
  async function act(runId: string, gate: Gate, command: Command, userId: string, origin?: ClickOrigin): Promise<ActResult> {
    // Only approver-only commands look membership up (Slack may be slow or down; Claim and Run checks never wait).
    // Handoff and release are open to the claimant, and to an approver reassigning a claim left behind.
    const isApprover =
      APPROVER_COMMANDS.includes(command.type) || command.type === 'handoff' || command.type === 'release'
        ? await deps.isApprover(userId)
        : false;
    const key = origin?.requestKey;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // What Confirm looks up (voters' membership, firing alerts) may ask Slack: asked before the run is locked, from
      // the run as it is now; if the run changed meanwhile, it is decided again. Other commands look nothing up.
      const seen = command.type === 'confirm' ? await loadRun(deps.db, runId) : undefined;
      const lookups =
        seen && command.type === 'confirm' ? { version: seen.version, ...(await confirmLookups(seen, gate, command)) } : undefined;
      const now = deps.now();
      let result: ActResult | 'changed';
      try {
        result = await deps.db.transaction(async (tx): Promise<ActResult | 'changed'> => {
          // Clicks on one run queue on its lock and each decides on the state the one before left: twenty people
          // clicking at once cost twenty short transactions, not rounds of conflicts and retries.
          const before = await lockAndReadRun(tx, runId);
          if (!before || (origin && !clickBelongsToRun(before, origin)))
            return { ok: false, kind: 'not_found', reason: before ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.' };
          // Applied already (a redelivered click): answered as the first was.
          if (key && (await eventWithKey(tx, runId, key))) return { ok: true, run: before };
          if (lookups && before.version !== lookups.version) return 'changed';
          const actor = { userId, isApprover, ...(lookups ? { currentApprovers: lookups.currentApprovers } : {}) };
          const decision = decide(before, gate, lookups?.command ?? command, actor, deps.policy, now);
          if (!decision.ok) {
            if (decision.kind === 'denied')
              await record(
                tx,
                runId,
                now,
                [{ type: 'denied', gate, actor: userId, data: { command: command.type, reason: decision.reason } }],
                false,
              );
            return decision;
          }
          await saveRun(tx, before, decision.run, now, userId);
          await record(tx, runId, now, key ? withRequestKey(decision.events, key) : decision.events, true);
          return { ok: true, run: decision.run };
        });
      } catch (err) {
        if (err instanceof VersionConflict) continue; // written by someone who did not take the lock: decide again
        throw err;
      }
      if (result === 'changed') continue;
      queued();
      return result;
    }
    return { ok: false, kind: 'conflict', reason: 'The run is changing too fast right now; try again in a moment.' };
  }

  /** A note (or any event outside the gate machine) on the channel's active run. */
  /** One event, or several written together (a long note's continuation entries: all or none). */
  /** `requestKey` (issue 18): the request's own id (a slash command's trigger_id); a replay of it is recorded once. */
  async function addEvent(
    channelId: string,
    userId: string,
    type: 'note',
    data: EventData<'note'> | readonly EventData<'note'>[],
    requestKey?: string,
  ): Promise<{ ok: true; runId: string } | { ok: false; kind: 'not_found'; reason: string }> {
    const runId = await findRunId(deps.db, channelId, 'active');
    if (!runId)
      return {
        ok: false,
        kind: 'not_found',
        reason: 'There is no active recovery run in this channel. Start one with `/caracal recover [title]`.',
      };
    const drafts = (Array.isArray(data) ? data : [data]).map((d: EventData<'note'>, i) => ({
      type,
      gate: undefined,
      actor: userId,
      data: requestKey && i === 0 ? { ...d, requestKey } : d,
    }));
    await deps.db.transaction(async (tx) => {
      await lockRunLog(tx, runId);
      if (requestKey && (await eventWithKey(tx, runId, requestKey))) return;
      await record(tx, runId, deps.now(), drafts, false);
    });
    queued();
    return { ok: true, runId };
  }

  /**
   * Remediation actions: only approvers, only on an active run. A refusal is logged like any denial.
   * The caller runs the action only after this says yes, and records it in the action journal (recovery/actions.ts).
   */
  async function authorizeAction(runId: string, gate: Gate, userId: string, actionId: string, readOnly = false): Promise<ActResult> {
    const run = await loadRun(deps.db, runId);
    if (!run) return { ok: false, kind: 'not_found', reason: 'This recovery run no longer exists.' };
    if (run.status !== 'active') return { ok: false, kind: 'conflict', reason: `This run has already ended (${run.status}).` };
    if (!readOnly && !(await deps.isApprover(userId))) {
      const reason = 'Only configured approvers can run remediation actions.';
      await deps.db.transaction((tx) =>
        record(tx, runId, deps.now(), [{ type: 'denied', gate, actor: userId, data: { command: actionId, reason } }], false),
      );
      queued();
      return { ok: false, kind: 'denied', reason };
    }
    return { ok: true, run };
  }

  /**
   * Evidence exported before a break-glass removal, as thread entries written together (all or none): split into
   * parts of whole lines so each entry stays readable; a single longer line is split by the egress, never cut.
   */
  async function recordExport(
    runId: string,
    gate: Gate,
    userId: string,
    data: { action: string; what: string; lines: readonly string[] },
  ): Promise<void> {
    const parts = splitLines(data.lines, EXPORT_PART_CHARS);
    const drafts: EventDraft[] = parts.map((lines, i) => ({
      type: 'residue_exported',
      gate,
      actor: userId,
      data: { action: data.action, what: data.what, part: i + 1, parts: parts.length, lines },
    }));
    await deps.db.transaction((tx) => record(tx, runId, deps.now(), drafts, false));
    queued();
  }

  /** A drill's timing marks, in order: fault injected (t0), then alert fired (detection) and recovered. */
  async function markDrill(runId: string, userId: string, marker: DrillMarker, origin: ClickOrigin): Promise<ActResult> {
    const run = await loadRun(deps.db, runId);
    if (!run) return { ok: false, kind: 'not_found', reason: 'This run no longer exists.' };
    if (!clickBelongsToRun(run, origin)) return { ok: false, kind: 'not_found', reason: NOT_THIS_CHANNELS_RUN };
    if (run.kind !== 'drill') return { ok: false, kind: 'denied', reason: 'Only drill runs have drill marks.' };
    if (run.drillMarks[marker])
      return { ok: false, kind: 'conflict', reason: `Already recorded at ${run.drillMarks[marker].toISOString()}.` };
    if (marker !== 'injected' && !run.drillMarks.injected)
      return { ok: false, kind: 'denied', reason: 'Record "Fault injected" first: detection and recovery are timed from it.' };
    try {
      await deps.db.transaction((tx) =>
        record(tx, runId, deps.now(), [{ type: 'drill_marker', gate: undefined, actor: userId, data: { marker } }], true),
      );
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return { ok: false, kind: 'conflict', reason: 'Someone recorded it a moment ago.' };
      throw err;
    }
    queued();
    return { ok: true, run };
  }

  /** `/caracal cancel [reason]`: an approver ends the channel's active run; the reason goes into the log. */
  async function cancelRun(channelId: string, userId: string, reason: string): Promise<ActResult> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const runId = await findRunId(deps.db, channelId, 'active');
      const before = runId ? await loadRun(deps.db, runId) : undefined;
      if (!runId || !before) return { ok: false, kind: 'not_found', reason: 'There is no active run in this channel.' };
      const now = deps.now();
      if (!(await deps.isApprover(userId))) {
        const refusal = 'Only configured approvers can cancel a run.';
        await deps.db.transaction((tx) =>
          recordEvents(
            tx,
            runId,
            now,
            [{ type: 'denied', gate: undefined, actor: userId, data: { command: 'cancel', reason: refusal } }],
            false,
          ),
        );
        queued();
        return { ok: false, kind: 'denied', reason: refusal };
      }
      const after: RunState = { ...before, status: 'cancelled', endedAt: now };
      try {
        await deps.db.transaction(async (tx) => {
          await saveRun(tx, before, after, now, userId);
          await recordEvents(tx, runId, now, [{ type: 'run_cancelled', gate: undefined, actor: userId, data: { reason } }], true);
        });
      } catch (err) {
        if (err instanceof VersionConflict) continue;
        throw err;
      }
      queued();
      return { ok: true, run: after };
    }
    return { ok: false, kind: 'conflict', reason: 'The run is changing too fast right now; try again in a moment.' };
  }

  return {
    startRun,
    cancelRun,
    act,
    addEvent,
    authorizeAction,
    recordExport,
    markDrill,
    load: (runId: string) => loadRun(deps.db, runId),
    policy: deps.policy,
    /** The channel's active run, if any. */
    async activeRun(channelId: string): Promise<RunState | undefined> {
      const runId = await findRunId(deps.db, channelId, 'active');
      return runId ? loadRun(deps.db, runId) : undefined;
    },
  };
}

export type RecoveryService = ReturnType<typeof createRecoveryService>;
