// trigger_ids the sandbox hands out with each interaction. views.open accepts one only within 3 s of the
// interaction and only once, like Slack, so a bot that opens a modal too late fails here too.
import { randomBytes } from 'node:crypto';

export const TRIGGER_TTL_MS = 3000;

export type TriggerResult =
  { ok: true; user: string } | { ok: false; error: 'invalid_trigger_id' | 'expired_trigger_id' | 'trigger_exchanged' };

interface Issued {
  user: string;
  at: number;
  used: boolean;
}

export class Triggers {
  private readonly issued = new Map<string, Issued>();
  private seq = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** A Slack-shaped trigger id (`<n>.<n>.<hex>`) for an interaction by `user`. */
  issue(user: string): string {
    const id = `${++this.seq}.${this.now()}.${randomBytes(8).toString('hex')}`;
    this.issued.set(id, { user, at: this.now(), used: false });
    this.prune();
    return id;
  }

  consume(id: string | undefined): TriggerResult {
    const t = id === undefined ? undefined : this.issued.get(id);
    if (!t) return { ok: false, error: 'invalid_trigger_id' };
    if (this.now() - t.at > TRIGGER_TTL_MS) return { ok: false, error: 'expired_trigger_id' };
    if (t.used) return { ok: false, error: 'trigger_exchanged' };
    t.used = true;
    return { ok: true, user: t.user };
  }

  /** Old triggers are kept for a minute so a late views.open still gets `expired_trigger_id`, not `invalid`. */
  private prune(): void {
    for (const [id, t] of this.issued) if (this.now() - t.at > 60_000) this.issued.delete(id);
  }
}
