// The soak's figures, and how they are printed.
import { percentile } from '../lib/stats.ts';
import type { LogFigures } from './logs.ts';
import type { SenderStats } from './sender.ts';
import type { Click } from './users.ts';
import type { Verdict } from './verify.ts';

export interface SoakFigures {
  durationS: number;
  requests: number;
  clicks: number;
  notes: number;
  checkRuns: number;
  overridesRequested: number;
  overridesApproved: number;
  gatesConfirmed: number;
  byKind: Record<string, number>;
  runsReaching: Record<string, number>;
  events: number;
  restarts: number;
  httpErrors: number;
  retried: number;
  gaveUp: number;
  failovers: number;
  lostInCrash: number;
  checksInterrupted: number;
  refusedEntries: number;
  injected: Record<string, number>;
  slackBodiesScanned: number;
  idGaps: number;
  deliveries: number;
  delivered: number;
  failedPermanently: number;
  threadReplies: number;
  dashboardUpdates: number;
  threadLookups: number;
  repostsAvoided: number;
  botErrorsLogged: number;
  ackP50Ms: number;
  ackP99Ms: number;
}

export interface SummaryInput {
  clicks: readonly Click[];
  sender: SenderStats;
  failovers: number;
  restarts: number;
  threadLookups: number;
  logs: LogFigures;
  durationMs: number;
  verdict: Verdict;
  injected: Record<string, number>;
  slackBodies: number;
}

export function summarize(input: SummaryInput): SoakFigures {
  const { clicks, sender, verdict } = input;
  const byKind: Record<string, number> = {};
  for (const c of clicks) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const accepted = (kind: string) => clicks.filter((c) => c.kind === kind && c.result.status === 200).length;
  return {
    durationS: input.durationMs / 1000,
    requests: sender.requests,
    clicks: clicks.filter((c) => c.kind !== 'note' && c.kind !== 'recover').length,
    notes: accepted('note'),
    checkRuns: accepted('checks'),
    overridesRequested: clicks.filter((c) => c.kind === 'submit' && c.result.status === 200 && c.result.body.trim() === '').length,
    overridesApproved: verdict.overridesApproved,
    gatesConfirmed: verdict.gatesConfirmed,
    byKind,
    runsReaching: verdict.runsReaching,
    events: verdict.events,
    restarts: input.restarts,
    httpErrors: sender.httpErrors,
    retried: sender.retried,
    gaveUp: sender.gaveUp,
    failovers: input.failovers,
    lostInCrash: verdict.lostInCrash.length,
    checksInterrupted: verdict.checksInterrupted.length,
    refusedEntries: verdict.slack.failedPermanently,
    injected: input.injected,
    slackBodiesScanned: input.slackBodies,
    idGaps: verdict.idGaps,
    deliveries: verdict.slack.deliveries,
    delivered: verdict.slack.delivered,
    failedPermanently: verdict.slack.failedPermanently,
    threadReplies: verdict.slack.threadReplies,
    dashboardUpdates: verdict.slack.dashboardUpdates,
    threadLookups: input.threadLookups,
    repostsAvoided: input.logs.repostsAvoided,
    botErrorsLogged: input.logs.errors,
    ackP50Ms: Math.round(percentile(sender.latenciesMs, 50) * 10) / 10,
    ackP99Ms: Math.round(percentile(sender.latenciesMs, 99) * 10) / 10,
  };
}

export function printSummary(f: SoakFigures, problems: readonly string[], print: (line: string) => void = console.log): void {
  const row = (label: string, value: string | number) => print(`  ${label.padEnd(26)} ${value}`);
  print(`soak: ${f.durationS} s, 2 replicas, 20 users, 10 runs`);
  row('requests (incl. retries)', f.requests);
  row('clicks / notes / checks', `${f.clicks} / ${f.notes} / ${f.checkRuns}`);
  row(
    'clicks by kind',
    Object.entries(f.byKind)
      .map(([k, n]) => `${k} ${n}`)
      .join(', '),
  );
  row('overrides req. / approved', `${f.overridesRequested} / ${f.overridesApproved}`);
  row('gates confirmed', f.gatesConfirmed);
  row(
    'runs reaching each gate',
    Object.entries(f.runsReaching)
      .map(([g, n]) => `${g} ${n}`)
      .join(', '),
  );
  row('events logged', f.events);
  row('restarts (SIGKILL)', f.restarts);
  row('HTTP errors / retried', `${f.httpErrors} / ${f.retried} (gave up: ${f.gaveUp}); failovers ${f.failovers}`);
  row(
    'acked, lost in the crash',
    `${f.lostInCrash} (saved before the ack: must be 0); run checks interrupted by the kill ${f.checksInterrupted} (acked first)`,
  );
  row(
    'Slack faults injected',
    Object.entries(f.injected)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ') || 'none',
  );
  row('refused entries (placeholders)', f.refusedEntries);
  row('secret scan', `${f.slackBodiesScanned} Slack bodies and every replica log line`);
  row('event id gaps (rollbacks)', f.idGaps);
  row('deliveries', `${f.deliveries} (delivered ${f.delivered}, failed permanently ${f.failedPermanently})`);
  row('thread replies / dashboards', `${f.threadReplies} / ${f.dashboardUpdates} renders`);
  row('thread look-ups / reposts avoided', `${f.threadLookups} / ${f.repostsAvoided}`);
  row('bot errors logged', f.botErrorsLogged);
  row('ack latency p50 / p99', `${f.ackP50Ms} ms / ${f.ackP99Ms} ms`);
  print(problems.length === 0 ? 'all invariants hold' : `${problems.length} problem(s):`);
  for (const p of problems.slice(0, 40)) print(`  - ${p}`);
}
