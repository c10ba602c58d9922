// Failure injection for the emulated Slack Web API (tests, the soak): a Slack that refuses a given message, answers
// 429 with Retry-After, answers 5xx, refuses the token for a while, or takes its time. Each rule matches calls (by
// method, by a predicate on the arguments, by chance) and applies to a number of them or until a time; latency rules
// add up, and the first matching answer rule decides the call. No rule: the call is answered normally.
import type { JsonObject } from './json.ts';

export interface FaultCall {
  method: string;
  args: JsonObject;
}

export type FaultEffect =
  /** Slack's platform error (HTTP 200, `ok: false`), e.g. `invalid_blocks`, `msg_too_long`, `invalid_auth`. */
  | { kind: 'refuse'; error: string }
  /** HTTP 429 with `Retry-After: <seconds>`. */
  | { kind: 'rate_limit'; retryAfterS: number }
  /** HTTP 5xx; nothing is done (the call never reached Slack's workers). */
  | { kind: 'server_error'; status?: number }
  /** The answer comes this much later (milliseconds; a function is asked once per call). */
  | { kind: 'latency'; ms: number | (() => number) };

export interface FaultRule {
  /** Only these methods (default: every method). */
  methods?: readonly string[];
  match?: (call: FaultCall) => boolean;
  /** Applies to a call with this probability (default 1), drawn from the faults' `random`. */
  chance?: number;
  /** Applies to this many calls, then is spent (default: no limit). */
  times?: number;
  /** Applies until this time on the faults' clock (milliseconds). */
  until?: number;
  effect: FaultEffect;
}

export interface FaultAnswer {
  status: number;
  body: JsonObject;
  headers: Record<string, string>;
}

export interface FaultDecision {
  delayMs: number;
  /** The injected answer, or undefined: answer the call normally. */
  answer?: FaultAnswer;
}

function answerFor(effect: Exclude<FaultEffect, { kind: 'latency' }>): FaultAnswer {
  switch (effect.kind) {
    case 'refuse':
      return { status: 200, body: { ok: false, error: effect.error }, headers: {} };
    case 'rate_limit':
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(effect.retryAfterS) } };
    case 'server_error':
      return { status: effect.status ?? 503, body: { ok: false, error: 'service_unavailable' }, headers: {} };
  }
}

export class SlackFaults {
  private rules: FaultRule[] = [];
  private readonly observers = new Set<(call: FaultCall) => void>();
  /** Calls per method, faulty or not. */
  readonly counts = new Map<string, number>();
  /** Injected answers per `method error-or-status`, e.g. `chat.postMessage 429`. */
  readonly injected = new Map<string, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Add a rule; the returned function removes it. */
  add(rule: FaultRule): () => void {
    const own = { ...rule };
    this.rules.push(own);
    return () => {
      this.rules = this.rules.filter((r) => r !== own);
    };
  }

  /** Be told of every call (the soak scans every body for secrets). */
  observe(listener: (call: FaultCall) => void): () => void {
    this.observers.add(listener);
    return () => this.observers.delete(listener);
  }

  clear(): void {
    this.rules = [];
  }

  /** Refuse the next `times` calls that `match` with a Slack error (a message Slack will not take). */
  refuse(match: (call: FaultCall) => boolean, error = 'invalid_blocks', times = 1): () => void {
    return this.add({ match, times, effect: { kind: 'refuse', error } });
  }

  rateLimit(retryAfterS: number, options: Omit<FaultRule, 'effect'> = {}): () => void {
    return this.add({ times: 1, ...options, effect: { kind: 'rate_limit', retryAfterS } });
  }

  serverError(options: Omit<FaultRule, 'effect'> & { status?: number } = {}): () => void {
    const { status, ...rest } = options;
    return this.add({ times: 1, ...rest, effect: { kind: 'server_error', ...(status ? { status } : {}) } });
  }

  latency(ms: number | (() => number), options: Omit<FaultRule, 'effect'> = {}): () => void {
    return this.add({ ...options, effect: { kind: 'latency', ms } });
  }

  /** Every call answers `invalid_auth` for `forMs` from now (a revoked or mistyped token, then fixed). */
  invalidAuth(forMs: number): () => void {
    return this.add({ until: this.now() + forMs, effect: { kind: 'refuse', error: 'invalid_auth' } });
  }

  /** What happens to one call: its delay, and the injected answer if a rule gives one. Spends matching rules. */
  decide(call: FaultCall): FaultDecision {
    this.counts.set(call.method, (this.counts.get(call.method) ?? 0) + 1);
    for (const o of this.observers) o(call);
    let delayMs = 0;
    let answer: FaultAnswer | undefined;
    for (const rule of [...this.rules]) {
      if (rule.until !== undefined && this.now() >= rule.until) {
        this.rules = this.rules.filter((r) => r !== rule);
        continue;
      }
      if (rule.methods && !rule.methods.includes(call.method)) continue;
      if (answer && rule.effect.kind !== 'latency') continue;
      if (rule.match && !rule.match(call)) continue;
      if (rule.chance !== undefined && this.random() >= rule.chance) continue;
      if (rule.times !== undefined && --rule.times <= 0) this.rules = this.rules.filter((r) => r !== rule);
      if (rule.effect.kind === 'latency') {
        delayMs += typeof rule.effect.ms === 'function' ? rule.effect.ms() : rule.effect.ms;
      } else {
        answer = answerFor(rule.effect);
        const key = `${call.method} ${rule.effect.kind === 'refuse' ? rule.effect.error : answer.status}`;
        this.injected.set(key, (this.injected.get(key) ?? 0) + 1);
      }
    }
    return { delayMs, ...(answer ? { answer } : {}) };
  }
}
