// Caracal's counters only grow while a process lives, so a non-zero value says little: what matters is growth
// since the bot last looked (caracal-ops.md §14.3, §15.2.4). This remembers each counter per pod.
import type { CheckContext } from '../types.ts';

export type Growth =
  | { kind: 'zero' }
  /** Non-zero at the first reading (or after a restart): cannot tell old from new. */
  | { kind: 'unknown'; value: number }
  | { kind: 'grew'; value: number; from: number; since: Date }
  | { kind: 'steady'; value: number; since: Date };

export async function growth(ctx: CheckContext, key: string, value: number): Promise<Growth> {
  const before = await ctx.baselines.get(key);
  const restarted = before !== undefined && value < before.value;
  if (before === undefined || restarted || value !== before.value) await ctx.baselines.set(key, value, ctx.now());
  if (value === 0) return { kind: 'zero' };
  if (before === undefined || restarted) return { kind: 'unknown', value };
  if (value > before.value) return { kind: 'grew', value, from: before.value, since: before.at };
  return { kind: 'steady', value, since: before.at };
}

/** A short phrase for evidence lines. */
export function describeGrowth(name: string, g: Growth): string {
  switch (g.kind) {
    case 'zero':
      return `${name}=0`;
    case 'unknown':
      return `${name}=${g.value} (no earlier reading to tell old from new)`;
    case 'grew':
      return `${name}=${g.value}, up from ${g.from} since ${g.since.toISOString()}`;
    case 'steady':
      return `${name}=${g.value}, unchanged since ${g.since.toISOString()}`;
  }
}
