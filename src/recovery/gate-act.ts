// Applying a gate command to a run: look up what Confirm needs, lock the run, decide (pure), then save the new
// state and its events in the same transaction. A concurrent change makes it read and decide again.
import type { Gate } from '../domain/gates.ts';
import type { RunState } from '../domain/run.ts';
import { loadRun, lockAndReadRun, saveRun, VersionConflict } from '../store/runs.ts';
import { clickBelongsToRun, NOT_THIS_CHANNELS_RUN, type ClickOrigin } from './click-origin.ts';
import { APPROVER_COMMANDS, decide, type Command } from './machine.ts';
import { withRequestKey } from './record-events.ts';
import { changingTooFast, MAX_ATTEMPTS, type ActResult, type ServiceContext } from './service-context.ts';

/**
 * What a Confirm is decided with besides the run: earlier voters looked up again (a removed approver's vote
 * lapses), and on Resume the critical alerts still firing in the channel.
 */
async function confirmLookups(
  { deps }: ServiceContext,
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
export async function actOnGate(
  ctx: ServiceContext,
  runId: string,
  gate: Gate,
  command: Command,
  userId: string,
  origin?: ClickOrigin,
): Promise<ActResult> {
  const { deps, record } = ctx;
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
      seen && command.type === 'confirm' ? { version: seen.version, ...(await confirmLookups(ctx, seen, gate, command)) } : undefined;
    const now = deps.now();
    let result: ActResult | 'changed';
    try {
      result = await deps.db.transaction(async (tx): Promise<ActResult | 'changed'> => {
        // Clicks on one run queue on its lock and each decides on the state the one before left: twenty people
        // clicking at once cost twenty short transactions, not rounds of conflicts and retries.
        const locked = await lockAndReadRun(tx, runId, key);
        const before = locked?.run;
        if (!before || (origin && !clickBelongsToRun(before, origin)))
          return { ok: false, kind: 'not_found', reason: before ? NOT_THIS_CHANNELS_RUN : 'This recovery run no longer exists.' };
        // Applied already (a redelivered click): answered as the first was.
        if (locked.applied) return { ok: true, run: before };
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
    ctx.queued();
    return result;
  }
  return changingTooFast();
}
