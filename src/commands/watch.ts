// `/caracal watch on|off|<interval>`: the channel's run re-runs its open gate's checks on a schedule and tells the
// thread when one changes (issue 17). On by default at the configured interval per gate; the change is logged.
import { UserFacingError } from '../errors.ts';
import { recordEvents } from '../recovery/service.ts';
import type { RecoveryService } from '../recovery/service.ts';
import { formatInterval, parseInterval } from '../domain/interval.ts';
import type { Db } from '../store/db.ts';
import { mergeSchedule } from '../store/schedules.ts';
import type { Subcommand } from './types.ts';

export interface WatchCommandDeps {
  db: Db;
  service: RecoveryService;
  now: () => Date;
  /** The configured interval of the run's open gate. */
  defaultInterval(gate: string | undefined): number;
  /** A change was made: deliver its log entry and run the schedule soon. */
  onChanged(): void;
}

/** `on`, `off`, or an interval (`2m`, `90s`, `1h`); undefined when it is none of these. */
export function parseWatch(args: string): { mode: 'on' | 'off'; intervalMs?: number } | undefined {
  const word = args.trim().toLowerCase();
  if (word === 'on' || word === '') return { mode: 'on' };
  if (word === 'off') return { mode: 'off' };
  const ms = parseInterval(word);
  return ms === undefined ? undefined : { mode: 'on', intervalMs: ms };
}

export function watchCommand(deps: WatchCommandDeps): Subcommand {
  return {
    name: 'watch',
    usage: '/caracal watch on|off|<interval>',
    description: 're-run the open gate’s checks on a schedule and tell the thread when one changes (e.g. `/caracal watch 2m`).',
    async handle({ command, args, respond }) {
      const parsed = parseWatch(args);
      if (!parsed) throw new UserFacingError('bad_request', 'Say `on`, `off`, or how often: `/caracal watch 2m` (from 30s to 24h).');
      const run = await deps.service.activeRun(command.channel_id);
      if (!run)
        throw new UserFacingError('not_found', 'There is no active run in this channel. Start one with `/caracal recover [title]`.');
      const gate = run.gates.find((g) => g.status === 'open')?.gate;
      const now = deps.now();
      const intervalMs = parsed.intervalMs ?? deps.defaultInterval(gate);
      const state = parsed.intervalMs ? { mode: parsed.mode, intervalMs: parsed.intervalMs } : { mode: parsed.mode };
      await deps.db.transaction(async (tx) => {
        await mergeSchedule(tx, {
          kind: 'watch',
          key: run.id,
          channelId: run.channelId,
          intervalMs,
          nextAt: now,
          now,
          createdBy: command.user_id,
          state,
        });
        // The dashboard shows the watch state: it is drawn again with the change.
        await recordEvents(
          tx,
          run.id,
          now,
          [
            {
              type: 'watch_set',
              gate,
              actor: command.user_id,
              data: { mode: parsed.mode, intervalMs: parsed.mode === 'on' ? intervalMs : null },
            },
          ],
          true,
        );
      });
      deps.onChanged();
      await respond({
        response_type: 'ephemeral',
        text:
          parsed.mode === 'off'
            ? 'Watch is off for this run.'
            : `Watching the open gate every ${formatInterval(intervalMs)}; the thread hears only about changes.`,
      });
    },
  };
}
