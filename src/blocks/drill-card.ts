// The drill card on a drill run's dashboard: what to inject, what should happen, and the timing buttons.
import type { Button, KnownBlock } from '@slack/types';
import { findDrill } from '../drills/catalog.ts';
import { DRILL_MARKERS, type DrillMarker, type RunState } from '../domain/run.ts';
import { ACTION, uniqueActionId } from './ids.ts';
import { sections } from './limits.ts';
import { slackDate } from './mrkdwn.ts';
import { drillButtonPayload, encodePayload } from './payloads.ts';

const LABEL: Record<DrillMarker, string> = { injected: 'Fault injected', alert_fired: 'Alert fired', recovered: 'Recovered' };

export function drillCard(run: RunState, sandbox = false): KnownBlock[] {
  const drill = run.scenario ? findDrill(run.scenario) : undefined;
  if (run.kind !== 'drill' || !drill) return [];
  const text = [
    `:test_tube: *DRILL: ${drill.title}*`,
    `*Inject:* ${drill.inject}`,
    ...(sandbox ? ['_SANDBOX: inject and clear it from the *Simulated Caracal* panel in the sidebar._'] : []),
    `*Expected alerts:* ${drill.expectedAlerts.join(', ')}`,
    `*Expected behaviour:* ${drill.expectedBehaviour}`,
    `*Recover:* ${drill.recover}`,
    `_What Caracal's code says:_ ${drill.caveat}`,
    ...DRILL_MARKERS.filter((m) => run.drillMarks[m]).map((m) => `:stopwatch: ${LABEL[m]} ${slackDate(run.drillMarks[m]!.toISOString())}`),
  ].join('\n');
  const next = DRILL_MARKERS.filter((m) => !run.drillMarks[m] && (m === 'injected' || run.drillMarks.injected));
  const buttons: Button[] = next.map((marker) => ({
    type: 'button',
    action_id: uniqueActionId(ACTION.drillMark, marker),
    text: { type: 'plain_text', text: LABEL[marker] },
    value: encodePayload(drillButtonPayload, { v: 1, runId: run.id, marker }),
  }));
  return [
    ...sections(text),
    ...(buttons.length && run.status === 'active'
      ? [{ type: 'actions' as const, block_id: `drill_marks_v${run.version}`, elements: buttons }]
      : []),
  ];
}
