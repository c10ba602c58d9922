// Submitting the override modal (issue 14 item 7): no network call before the ack. When the approver rule needs no
// Slack look-up, the request is saved before the ack and a refusal shows in the modal; otherwise the modal is acked
// at once and a refusal reaches the requester ephemerally in the run's channel.
import { describe, expect, it } from 'vitest';
import { handleOverrideSubmit, type OverrideModalDeps } from '../../src/actions/override-modal.ts';
import { BLOCK, ELEMENT } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import type { ActResult } from '../../src/recovery/service.ts';
import type { RunState } from '../../src/domain/run.ts';
import { pino } from 'pino';
import { createMetrics } from '../../src/metrics.ts';
import { buildViewArgs, type BuiltViewArgs } from '../helpers/action-args.ts';

const META = encodePayload(gateButtonPayload, { v: 1, runId: 'r1', gate: 'storage' });
const reasonOf = (text: string) => ({ [BLOCK.overrideReason]: { [ELEMENT.overrideReasonInput]: { value: text } } });

function deps(args: BuiltViewArgs, result: ActResult, knownApprover: boolean | undefined): OverrideModalDeps & { asked: unknown[] } {
  const asked: unknown[] = [];
  return {
    asked,
    service: {
      act: (runId, gate, command, userId) => (args.worked(), asked.push({ runId, gate, command, userId }), Promise.resolve(result)),
      load: () => Promise.resolve({ channelId: 'C0RUN' } as RunState),
    },
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(),
    knownApprover: () => knownApprover,
  };
}

describe('handleOverrideSubmit', () => {
  it('refuses a reason shorter than a sentence in the modal, asking nothing', async () => {
    const args = buildViewArgs(reasonOf('too short'), META);
    const d = deps(args, { ok: true, run: {} as RunState }, true);
    await handleOverrideSubmit(d)(args);
    expect(d.asked).toEqual([]);
    expect(args.acks).toEqual([
      {
        response: {
          response_action: 'errors',
          errors: { [BLOCK.overrideReason]: 'Write at least a sentence: it goes into the incident log.' },
        },
        afterWork: false,
      },
    ]);
  });

  it('saves before the ack when the approver rule is known, and shows a refusal in the modal', async () => {
    const args = buildViewArgs(reasonOf('Redis is back, the check is wrong here'), META);
    const d = deps(args, { ok: false, kind: 'denied', reason: 'Only configured approvers can request an override.' }, false);
    await handleOverrideSubmit(d)(args);
    expect(d.asked).toHaveLength(1);
    expect(args.acks).toEqual([
      {
        response: { response_action: 'errors', errors: { [BLOCK.overrideReason]: 'Only configured approvers can request an override.' } },
        afterWork: true,
      },
    ]);
    expect(args.ephemerals).toEqual([]);
  });

  it("acks first when the rule needs a Slack look-up, then tells a refusal ephemerally in the run's channel", async () => {
    const args = buildViewArgs(reasonOf('Redis is back, the check is wrong here'), META, 'UBOB');
    const d = deps(args, { ok: false, kind: 'denied', reason: 'not an approver' }, undefined);
    await handleOverrideSubmit(d)(args);
    expect(args.acks).toEqual([{ response: undefined, afterWork: false }]);
    expect(d.asked).toMatchObject([
      {
        runId: 'r1',
        gate: 'storage',
        command: { type: 'request_override', reason: 'Redis is back, the check is wrong here' },
        userId: 'UBOB',
      },
    ]);
    expect(args.ephemerals).toEqual([{ channel: 'C0RUN', user: 'UBOB', text: 'Override not requested: not an approver' }]);
  });
});
