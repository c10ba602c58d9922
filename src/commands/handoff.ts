// `/caracal handoff @user <note>`: pass the open gate's claim to someone else, with a written note, so a recovery can
// change hands across shifts and time zones and the next person knows what was done and what is next.
import { MAX_HANDOFF_NOTE } from '../blocks/handoff-modal.ts';
import type { Gate } from '../domain/gates.ts';
import { UserFacingError } from '../errors.ts';
import { currentGate } from '../domain/run.ts';
import type { ClickOrigin, RecoveryService } from '../recovery/service.ts';
import type { Subcommand } from './types.ts';

export { MAX_HANDOFF_NOTE };

/** Why a note cannot be used, or undefined. */
export function handoffNoteProblem(note: string): string | undefined {
  if (note.length > MAX_HANDOFF_NOTE)
    return `Keep the handoff note under ${MAX_HANDOFF_NOTE} characters (it was ${note.length}); put details in \`/caracal note\` first.`;
  return undefined;
}

/**
 * The one handoff path, for the command and the dashboard's modal: the service decides (claimant or approver,
 * a note is required) and records `gate_handed_off` with the state change.
 */
export async function handOff(
  service: RecoveryService,
  input: { runId: string; gate: Gate; to: string; note: string; userId: string; origin?: ClickOrigin },
): Promise<void> {
  const problem = handoffNoteProblem(input.note);
  if (problem) throw new UserFacingError('bad_request', problem);
  const result = await service.act(
    input.runId,
    input.gate,
    { type: 'handoff', to: input.to, note: input.note },
    input.userId,
    input.origin,
  );
  if (!result.ok) throw new UserFacingError(result.kind === 'denied' ? 'forbidden' : 'conflict', result.reason);
}

/** `<@U123|name>` (an escaped mention), `<@U123>` or a bare `U123`, then the note. */
export function parseHandoff(args: string): { to: string; note: string } | undefined {
  const match = /^\s*(?:<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|([UW][A-Z0-9]{2,}))\s*([\s\S]*)$/.exec(args);
  if (!match) return undefined;
  return { to: match[1] ?? match[2], note: match[3].trim() };
}

export function handoffCommand(deps: { service: RecoveryService; approversOffline?: () => boolean }): Subcommand {
  return {
    name: 'handoff',
    // Database only; an approver look-up only while it needs no Slack call.
    saveFirst: () => deps.approversOffline?.() ?? false,
    usage: '/caracal handoff @user <note>',
    description: 'pass the open gate to someone else with a note on what is done and what is next.',
    async handle({ command, args, respond }) {
      const parsed = parseHandoff(args);
      if (!parsed)
        throw new UserFacingError(
          'bad_request',
          'Name who takes over, then the note: `/caracal handoff @dana Redis is back; the DLQ replay is next`.',
        );
      const problem = handoffNoteProblem(parsed.note);
      if (problem) throw new UserFacingError('bad_request', problem);
      const run = await deps.service.activeRun(command.channel_id);
      const gate = run && currentGate(run);
      if (!run || !gate) throw new UserFacingError('not_found', 'There is no active run with an open gate in this channel.');
      await handOff(deps.service, { runId: run.id, gate: gate.gate, to: parsed.to, note: parsed.note, userId: command.user_id });
      await respond({ response_type: 'ephemeral', text: `Handed off to <@${parsed.to}>. The note is in the incident log.` });
    },
  };
}
