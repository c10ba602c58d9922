// What a finished (or running) run took: time per gate, time to recover, approvers, overrides — from its events.
import { isEvent, type StoredEvent } from '../domain/events.ts';
import { GATES, type Gate } from '../domain/gates.ts';
import type { DrillMarker } from '../domain/run.ts';

export interface GateTiming {
  gate: Gate;
  openedAt: Date | undefined;
  doneAt: Date | undefined;
  durationMs: number | undefined;
  how: 'confirmed' | 'overridden' | undefined;
  by: string[];
}

export interface RunSummary {
  startedAt: Date | undefined;
  resumedAt: Date | undefined;
  timeToRecoverMs: number | undefined;
  gates: GateTiming[];
  approvers: string[];
  overrides: { gate: Gate; requestedBy: string; approvedBy: string; reason: string }[];
  denials: number;
  /**
   * Drill runs: time to detect (alert fired - fault injected) and to recover (recovered - fault injected). When
   * nobody marked "Recovered" before Resume, Resume is the recovery time and `recoveredFrom` says so.
   */
  drill: {
    injectedAt: Date | undefined;
    timeToDetectMs: number | undefined;
    timeToRecoverMs: number | undefined;
    recoveredFrom: 'mark' | 'resume' | undefined;
  };
}

export function summarize(events: readonly StoredEvent[]): RunSummary {
  const started = events.find((e) => e.type === 'run_started')?.at;
  const resumed = events.find((e) => e.type === 'run_resumed')?.at;
  const gates = GATES.map((gate): GateTiming => {
    const opened = gate === 'freeze' ? started : events.find((e) => e.type === 'gate_opened' && e.gate === gate)?.at;
    const done = events.find(
      (e): e is StoredEvent<'gate_confirmed' | 'override_approved'> => isEvent(e, 'gate_confirmed', 'override_approved') && e.gate === gate,
    );
    const by = !done ? [] : done.type === 'gate_confirmed' ? done.data.approvers : [done.data.requestedBy, done.actor];
    return {
      gate,
      openedAt: opened,
      doneAt: done?.at,
      durationMs: opened && done ? done.at.getTime() - opened.getTime() : undefined,
      how: done ? (done.type === 'gate_confirmed' ? 'confirmed' : 'overridden') : undefined,
      by,
    };
  });
  const overrides = events
    .filter((e) => e.type === 'override_approved')
    .map((e) => ({ gate: e.gate!, requestedBy: e.data.requestedBy, approvedBy: e.actor, reason: e.data.reason }));
  return {
    startedAt: started,
    resumedAt: resumed,
    timeToRecoverMs: started && resumed ? resumed.getTime() - started.getTime() : undefined,
    gates,
    approvers: [...new Set(gates.flatMap((g) => g.by))],
    overrides,
    denials: events.filter((e) => e.type === 'denied').length,
    drill: drillTimes(events),
  };
}

function drillTimes(events: readonly StoredEvent[]): RunSummary['drill'] {
  const mark = (m: DrillMarker) => events.find((e) => e.type === 'drill_marker' && e.data.marker === m)?.at;
  const t0 = mark('injected');
  const since = (d: Date | undefined) => (t0 && d ? d.getTime() - t0.getTime() : undefined);
  const marked = mark('recovered');
  const resumed = events.find((e) => e.type === 'run_resumed')?.at;
  const recovered = marked ?? (t0 ? resumed : undefined);
  const recoveredFrom = marked ? 'mark' : recovered ? 'resume' : undefined;
  return { injectedAt: t0, timeToDetectMs: since(mark('alert_fired')), timeToRecoverMs: since(recovered), recoveredFrom };
}

/** Words for where a drill's time to recover comes from, so the two "time to recover" figures never disagree unsaid. */
export function drillRecoveryNote(d: RunSummary['drill']): string {
  return d.recoveredFrom === 'resume' ? ' ("Recovered" was not marked: Resume time used)' : '';
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '—';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
