// Applies commands to recovery runs: load, decide (pure), then one transaction with the new state,
// its events and its pending Slack deliveries. A concurrent change makes us re-read and decide again.
// Starting a run (start-run.ts) and gate commands (gate-act.ts) have files of their own; the rest is here.
import type { EventData, EventDraft } from '../domain/events.ts';
import type { Gate } from '../domain/gates.ts';
import type { DrillMarker, RunState } from '../domain/run.ts';
import { lockRunLog } from '../store/events.ts';
import { eventWithKey } from '../store/request-keys.ts';
import { findRunId, loadRun, saveRun, VersionConflict } from '../store/runs.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type ClickOrigin } from './click-origin.ts';
import { actOnGate } from './gate-act.ts';
import type { Command } from './machine.ts';
import { recordEvents } from './record-events.ts';
import { changingTooFast, MAX_ATTEMPTS, serviceContext, type ActResult, type RecoveryDeps } from './service-context.ts';
import { splitLines } from './split-lines.ts';
import { startRun, type StartRunInput } from './start-run.ts';

export { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type ClickOrigin } from './click-origin.ts';
export { recordEvents } from './record-events.ts';
export type { ActResult } from './service-context.ts';

/** About one Slack section of exported lines per thread entry. */
const EXPORT_PART_CHARS = 2500;

export function createRecoveryService(deps: RecoveryDeps) {
  const ctx = serviceContext(deps);
  const { record, queued } = ctx;

  /**
   * A note (or any event outside the gate machine) on the channel's active run: one event, or several written
   * together (a long note's continuation entries: all or none). `requestKey` (issue 18): the request's own id (a
   * slash command's trigger_id); a replay of it is recorded once.
   */
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
    return changingTooFast();
  }

  return {
    startRun: (input: StartRunInput) => startRun(ctx, input),
    cancelRun,
    act: (runId: string, gate: Gate, command: Command, userId: string, origin?: ClickOrigin) =>
      actOnGate(ctx, runId, gate, command, userId, origin),
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
