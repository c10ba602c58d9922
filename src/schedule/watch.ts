// Watch (issue 17): while a gate is open, its checks run again on a schedule, and the thread hears only about
// changes ("outbox.coordinator is green again at 03:12", naming the claimant). When every check of the gate passes,
// the results are recorded on the gate (so Confirm works at once) and the claimant and approvers are told.
import type { CheckStatus } from '../domain/check-result.ts';
import type { Gate } from '../domain/gates.ts';
import { decide, type GatePolicy } from '../recovery/machine.ts';
import { withData, type EventDraft } from '../domain/events.ts';
import { currentGate, type GateCheck, type GateState } from '../domain/run.ts';
import { recordEvents } from '../recovery/service.ts';
import { scrubDeep, type Scrub } from '../redact.ts';
import { truncate } from '../blocks/mrkdwn.ts';
import type { Db } from '../store/db.ts';
import { loadRun, saveRun, VersionConflict } from '../store/runs.ts';
import type { Queryable } from '../store/db.ts';
import { advanceSchedule, deleteSchedule, getSchedule, type Schedule } from '../store/schedules.ts';
import type { GateResultsSource } from './gate-results.ts';
import type { Job } from './runner.ts';

/** Who the log names for what the scheduler does. */
export const SCHEDULER_ACTOR = 'caracal-watch';

export interface WatchState {
  /** Set per run by `/caracal watch`; default on. */
  mode?: 'on' | 'off';
  intervalMs?: number;
  /** The gate the remembered statuses belong to. */
  gate?: Gate;
  statuses?: Record<string, CheckStatus>;
  /** Every check of that gate passed at the last tick (the all-green notice was given). */
  ready?: boolean;
}

export interface WatchDeps {
  db: Db;
  policy: GatePolicy;
  results: GateResultsSource;
  /** Default interval per gate (configuration). */
  intervalFor(gate: Gate | undefined): number;
  /** Approvers to tell when a gate can be confirmed: user IDs and user group IDs. */
  approvers: { users: readonly string[]; userGroups: readonly string[] };
  scrub: Scrub;
}

export const watchState = (s: Schedule): WatchState => s.state;

/** What the run's dashboard shows: watch on or off and how often, as the next tick will run it (default on). */
export async function watchSetting(
  q: Queryable,
  runId: string,
  gate: Gate | undefined,
  intervalFor: (gate: Gate | undefined) => number,
): Promise<{ mode: 'on' | 'off'; intervalMs: number }> {
  const schedule = await getSchedule(q, 'watch', runId);
  const state = schedule ? watchState(schedule) : {};
  return { mode: state.mode ?? 'on', intervalMs: state.intervalMs ?? intervalFor(gate) };
}

/** The statuses to compare with: the last tick's for this gate, else what the gate shows (its last recorded run). */
function previousStatuses(state: WatchState, g: GateState): Record<string, CheckStatus> {
  if (state.gate === g.gate && state.statuses) return state.statuses;
  return Object.fromEntries(g.checks.map((c) => [c.checkId, c.status]));
}

export function watchJob(deps: WatchDeps): Job {
  return async (schedule, ctx) => {
    const state = watchState(schedule);
    const run = await loadRun(deps.db, schedule.key);
    if (!run || run.status !== 'active') {
      await ctx.commit((tx) => deleteSchedule(tx, 'watch', schedule.key));
      return;
    }
    const g = currentGate(run);
    const intervalMs = state.intervalMs ?? deps.intervalFor(g?.gate);
    const next = (ms = intervalMs) => new Date(ctx.now.getTime() + ms);
    const required = g ? deps.policy.requiredChecks(g.gate) : [];
    if (!g || state.mode === 'off' || required.length === 0) {
      await ctx.commit((tx) =>
        advanceSchedule(tx, 'watch', schedule.key, next(), { ...state, gate: g?.gate, statuses: undefined, ready: false }),
      );
      return;
    }
    const got = await deps.results.get(g.gate, run.environment); // the run's own Caracal deployment
    if (!got.ok) {
      await ctx.commit((tx) => advanceSchedule(tx, 'watch', schedule.key, next(got.retryInMs), schedule.state));
      return;
    }
    const results: GateCheck[] = got.results
      .filter((r) => required.includes(r.id))
      .map((r) => ({
        checkId: r.id,
        status: r.status,
        summary: r.summary,
        startedAt: new Date(Date.parse(r.finishedAt) - r.durationMs),
        finishedAt: new Date(r.finishedAt),
      }));
    const before = previousStatuses(state, g);
    const at = ctx.now.toISOString();
    const changes = results
      .filter((r) => before[r.checkId] !== undefined && before[r.checkId] !== r.status)
      .map((r) => ({ check: r.checkId, from: before[r.checkId], to: r.status, summary: truncate(deps.scrub(r.summary), 300) }));
    const green = required.every((id) => results.some((r) => r.checkId === id && r.status === 'pass'));
    const wasGreen = state.gate === g.gate && state.ready === true;
    const events: EventDraft[] = [];
    if (changes.length > 0)
      events.push({ type: 'watch_changed', gate: g.gate, actor: SCHEDULER_ACTOR, data: { at, changes, claimant: g.claimedBy ?? null } });
    // All green: recorded on the gate (fresh evidence for Confirm) with the notice, in the same transaction.
    const recorded =
      green && !wasGreen
        ? decide(run, g.gate, { type: 'record_checks', results }, { userId: SCHEDULER_ACTOR, isApprover: false }, deps.policy, ctx.now)
        : undefined;
    if (recorded?.ok) {
      events.push(...recorded.events);
      events.push({
        type: 'watch_ready',
        gate: g.gate,
        actor: SCHEDULER_ACTOR,
        data: { at, claimant: g.claimedBy ?? null, approvers: [...deps.approvers.users], userGroups: [...deps.approvers.userGroups] },
      });
    }
    const remembered: WatchState = {
      ...state,
      gate: g.gate,
      statuses: Object.fromEntries(results.map((r) => [r.checkId, r.status])),
      ready: green && (wasGreen || recorded?.ok === true),
    };
    try {
      await ctx.commit(async (tx) => {
        if (recorded?.ok) await saveRun(tx, run, recorded.run, ctx.now, SCHEDULER_ACTOR);
        if (events.length > 0)
          await recordEvents(
            tx,
            run.id,
            ctx.now,
            events.map((e) => withData(e, (d) => scrubDeep(d, deps.scrub))),
            recorded?.ok === true,
          );
        await advanceSchedule(tx, 'watch', schedule.key, next(), remembered as Record<string, unknown>);
      });
    } catch (err) {
      // Someone changed the run meanwhile: nothing was written; look again at the next pass with fresh state.
      if (!(err instanceof VersionConflict)) throw err;
    }
  };
}
