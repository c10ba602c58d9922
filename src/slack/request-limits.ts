// Per-person and per-channel limits on what costs Caracal or the incident log (issue 18): running checks (status,
// Re-run, a gate's Run checks, a troubleshooting button), Details, and notes. A refusal is an ephemeral answer that
// says which limit, and when to try again; nothing is run or recorded.
//
// Per replica (rate-limiter-flexible's memory store): the limit protects this replica's work and Caracal's
// per-address limits, which are per replica too. Behind a load balancer a person gets at most N times the limit
// across N replicas; single-flight (checks/shared-runner.ts) already makes their check runs cost one run per window.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { UserFacingError } from '../errors.ts';

export type LimitKind = 'checks' | 'notes';

export interface LimitSettings {
  checksPerUserPerMinute: number;
  checksPerChannelPerMinute: number;
  notesPerUserPerMinute: number;
  notesPerChannelPerMinute: number;
}

export interface RequestLimits {
  /** Count one request; throws a UserFacingError (answered ephemerally) when over a limit. */
  take(kind: LimitKind, userId: string, channelId: string): Promise<void>;
}

const WHAT: Record<LimitKind, string> = { checks: 'check runs and reports', notes: 'notes' };

export function createRequestLimits(settings: LimitSettings): RequestLimits {
  const limiter = (points: number) => new RateLimiterMemory({ points, duration: 60 });
  const perUser = { checks: limiter(settings.checksPerUserPerMinute), notes: limiter(settings.notesPerUserPerMinute) };
  const perChannel = { checks: limiter(settings.checksPerChannelPerMinute), notes: limiter(settings.notesPerChannelPerMinute) };

  async function consume(l: RateLimiterMemory, key: string, refusal: (wait: number) => string): Promise<void> {
    try {
      await l.consume(key);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      throw new UserFacingError('conflict', refusal(Math.max(1, Math.ceil(err.msBeforeNext / 1000))));
    }
  }

  return {
    async take(kind, userId, channelId) {
      const tail =
        kind === 'checks'
          ? ' The report already in the channel is at most a few seconds older than a new one would be.'
          : ' Nothing was recorded.';
      await consume(
        perUser[kind],
        userId,
        (wait) => `:hourglass: Slow down: you reached ${perUser[kind].points} ${WHAT[kind]} per minute. Try again in ${wait} s.${tail}`,
      );
      await consume(
        perChannel[kind],
        channelId,
        (wait) => `:hourglass: This channel reached ${perChannel[kind].points} ${WHAT[kind]} per minute. Try again in ${wait} s.${tail}`,
      );
    },
  };
}
