// Issue 14 item 7: view submissions ack before any network call; the approver lookup has a maximum stale age
// after which approver-only actions are refused with a clear message, and only approver-only actions look it up.
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLOCK, ELEMENT, VIEW } from '../../src/blocks/ids.ts';
import { encodePayload, gateButtonPayload } from '../../src/blocks/payloads.ts';
import { UserFacingError } from '../../src/errors.ts';
import { createLogger } from '../../src/logger.ts';
import { createApproverDirectory } from '../../src/recovery/approvers.ts';
import { createRecoveryService } from '../../src/recovery/service.ts';
import type { Db } from '../../src/store/db.ts';
import { listEvents } from '../../src/store/events.ts';
import { findRunId } from '../../src/store/runs.ts';
import { captureSlackApi, startTestBot, testStateDb, type TestBot } from '../helpers/slack.ts';

describe('ack first', () => {
  let state: { db: Db; drop(): Promise<void> };
  let bot: TestBot;
  beforeAll(async () => {
    state = await testStateDb();
    bot = await startTestBot({
      db: state.db,
      checks: [],
      file: { recovery: { approvers: { users: [], userGroups: ['SSLOW'] }, startRuns: 'anyone' } },
    });
  });
  afterAll(async () => {
    await bot.stop();
    nock.cleanAll();
    await state.drop();
  });

  it('acks the override modal while Slack has not yet answered the approver lookup, then records the request', async () => {
    let release: () => void = () => undefined;
    const slack = new Promise<void>((r) => (release = r));
    let lookups = 0;
    captureSlackApi();
    nock.cleanAll();
    nock('https://slack.com')
      .persist()
      .post('/api/usergroups.users.list')
      .reply(async () => {
        lookups++;
        await slack;
        return [200, { ok: true, users: ['UALICE'] }];
      });
    captureSlackApi();
    await bot.command('recover ack', { channel_id: 'CACK' });
    await bot.bot.idle();
    const runId = (await findRunId(state.db, 'CACK', 'active'))!;
    await state.db.query(`UPDATE gates SET status = 'confirmed' WHERE run_id = $1 AND gate = 'freeze'`, [runId]);
    await state.db.query(`UPDATE gates SET status = 'open', opened_at = now() WHERE run_id = $1 AND gate = 'storage'`, [runId]);
    const res = await bot.action({
      type: 'view_submission',
      team: { id: 'T0TEST' },
      user: { id: 'UALICE', name: 'x', team_id: 'T0TEST' },
      api_app_id: 'A0TEST',
      token: 'x',
      trigger_id: '1.2.3',
      view: {
        id: 'V1',
        type: 'modal',
        callback_id: VIEW.overrideModal,
        private_metadata: encodePayload(gateButtonPayload, { v: 1, runId, gate: 'storage' }),
        state: {
          values: {
            [BLOCK.overrideReason]: {
              [ELEMENT.overrideReasonInput]: { type: 'plain_text_input', value: 'Redis is back; the DLQ check has a known bug' },
            },
          },
        },
      },
    });
    expect(res.status).toBe(200); // answered while the lookup is still hanging
    expect(lookups).toBe(1);
    expect((await listEvents(state.db, runId)).map((e) => e.type)).not.toContain('override_requested');
    release();
    await bot.bot.idle();
    expect((await listEvents(state.db, runId)).map((e) => e.type)).toContain('override_requested');
  });
});

describe('approver lookup', () => {
  const logger = createLogger({ level: 'silent' });
  function directory(answer: () => Promise<{ users: string[] }>, clock: { t: number }) {
    const groupMembers = async () => (await answer()).users;
    return createApproverDirectory(
      { users: [], userGroups: ['SONCALL'], maxStaleMinutes: 10 },
      { groupMembers, logger, cacheMs: 60_000, now: () => clock.t },
    );
  }

  it('uses a cached membership up to the maximum stale age when Slack fails, then refuses with a clear message', async () => {
    const clock = { t: 0 };
    let up = true;
    const dir = directory(() => (up ? Promise.resolve({ users: ['UALICE'] }) : Promise.reject(new Error('slack down'))), clock);
    expect(await dir.isApprover('UALICE')).toBe(true);
    up = false;
    clock.t = 9 * 60_000;
    expect(await dir.isApprover('UALICE')).toBe(true);
    clock.t = 11 * 60_000;
    await expect(dir.isApprover('UALICE')).rejects.toThrow(UserFacingError);
    await expect(dir.isApprover('UALICE')).rejects.toThrow(/cannot check who the approvers are right now.*11 minutes old/);
  });

  it('only approver-only commands look membership up: Claim works while the lookup fails', async () => {
    const state = await testStateDb();
    let lookups = 0;
    const s = createRecoveryService({
      startPolicy: { who: 'anyone', drillChannels: [] },
      db: state.db,
      now: () => new Date(),
      newId: () => `ack${Date.now().toString(36)}`,
      isApprover: () => {
        lookups++;
        return Promise.reject(new UserFacingError('target_unavailable', 'cannot check approvers'));
      },
      policy: {
        freshnessMs: 1,
        approvalsRequired: { freeze: 1, storage: 1, services: 1, evidence: 1, safety: 1, resume: 2 },
        requiredChecks: () => [],
      },
    });
    const r = await s.startRun({ channelId: 'CLOOK', title: 't', userId: 'U1' });
    const runId = r.ok ? r.run.id : '';
    expect((await s.act(runId, 'freeze', { type: 'claim' }, 'U1')).ok).toBe(true);
    expect(lookups).toBe(0);
    await expect(s.act(runId, 'freeze', { type: 'confirm' }, 'U1')).rejects.toThrow('cannot check approvers');
    expect(lookups).toBe(1);
    await state.drop();
  });
});
