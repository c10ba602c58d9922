// Starting a recovery run or a drill: who may start one where, the run's first state (Freeze open, the other
// gates locked), and its first entries; one active run per channel, settled by the database.
import { describeBaseline } from '../checks/residue/baseline.ts';
import type { EventDraft } from '../domain/events.ts';
import { GATES } from '../domain/gates.ts';
import type { RunState } from '../domain/run.ts';
import { insertRunBaseline } from '../store/run-baselines.ts';
import { findRunId, insertRun, VersionConflict } from '../store/runs.ts';
import type { ActResult, ServiceContext } from './service-context.ts';

export interface StartRunInput {
  channelId: string;
  title: string;
  userId: string;
  kind?: 'recovery' | 'drill';
  scenario?: string;
  origin?: Record<string, unknown>;
  /** The Caracal deployment to recover; default the channel's (config `environments`). */
  environment?: string;
}

async function mayStart(
  { deps }: ServiceContext,
  input: { channelId: string; userId: string; kind: 'recovery' | 'drill' },
): Promise<string | undefined> {
  if (input.kind === 'drill' && !deps.startPolicy.drillChannels.includes(input.channelId)) {
    return 'Drills run only in the channels listed in `recovery.drillChannels` of the configuration, so that a rehearsal never blocks an incident channel.';
  }
  if (deps.startPolicy.who === 'approvers' && !(await deps.isApprover(input.userId))) {
    return `Only configured approvers can start a ${input.kind === 'drill' ? 'drill' : 'recovery run'}. Ask one of them, or use \`/caracal status\` to look.`;
  }
  return undefined;
}

/** A run as it starts: its first gate open, the others locked, nothing recorded yet. */
export function newRun(id: string, input: StartRunInput, environment: string, now: Date): RunState {
  return {
    id,
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
}

export async function startRun(ctx: ServiceContext, input: StartRunInput): Promise<ActResult> {
  const { deps, record } = ctx;
  const refusal = await mayStart(ctx, { channelId: input.channelId, userId: input.userId, kind: input.kind ?? 'recovery' });
  if (refusal) return { ok: false, kind: 'denied', reason: refusal };
  const environment = input.environment ?? deps.environmentFor?.(input.channelId) ?? 'default';
  const baseline = deps.captureBaseline ? await deps.captureBaseline(environment) : undefined;
  const now = deps.now();
  const run = newRun(deps.newId(), input, environment, now);
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
  ctx.queued();
  return { ok: true, run };
}
