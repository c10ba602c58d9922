// The liveness judgment on both reply shapes: Redis 7.2+ (`inactive`) and before (`idle` only).
import { describe, expect, it } from 'vitest';
import { judgeActivity } from '../../../src/checks/redis/consumer-activity.ts';
import { parseConsumers } from '../../../src/checks/redis/stream-info.ts';

const T = 120_000;
// XINFO CONSUMERS rows as RESP2 returns them.
const v70 = (idle: number) => ['name', 'gateway-gw-a-1', 'pending', 0, 'idle', idle];
const v72 = (idle: number, inactive: number) => ['name', 'gateway-gw-a-1', 'pending', 0, 'idle', idle, 'inactive', inactive];

describe('judgeActivity', () => {
  it('on Redis 7.2+ reads inactive, whatever idle says', () => {
    expect(
      judgeActivity({ consumers: parseConsumers([v72(3_600_000, 2_000)]), oldestUndeliveredAgeMs: undefined, thresholdMs: T }).live,
    ).toBe(true);
    expect(judgeActivity({ consumers: parseConsumers([v72(10, 600_000)]), oldestUndeliveredAgeMs: undefined, thresholdMs: T })).toEqual({
      live: false,
      reason: 'no consumer tried to read for 600 s',
    });
    expect(judgeActivity({ consumers: parseConsumers([v72(10, -1)]), oldestUndeliveredAgeMs: undefined, thresholdMs: T })).toEqual({
      live: false,
      reason: 'no consumer ever tried to read',
    });
  });

  it('before 7.2 ignores idle while nothing waits to be delivered', () => {
    const consumers = parseConsumers([v70(3_600_000)]);
    expect(consumers[0]?.inactiveMs).toBeUndefined();
    expect(judgeActivity({ consumers, oldestUndeliveredAgeMs: undefined, thresholdMs: T }).live).toBe(true);
  });

  it('before 7.2 counts idle only once an undelivered entry has waited past the threshold', () => {
    const consumers = parseConsumers([v70(3_600_000)]);
    expect(judgeActivity({ consumers, oldestUndeliveredAgeMs: 60_000, thresholdMs: T }).live).toBe(true);
    expect(judgeActivity({ consumers, oldestUndeliveredAgeMs: 200_000, thresholdMs: T })).toEqual({
      live: false,
      reason: 'an entry has waited 200 s undelivered; last read 3600 s ago',
    });
    // A consumer that read recently is busy, not gone: lag is judged elsewhere.
    expect(judgeActivity({ consumers: parseConsumers([v70(5_000)]), oldestUndeliveredAgeMs: 200_000, thresholdMs: T }).live).toBe(true);
  });

  it('has no consumer to judge in an empty group', () => {
    expect(judgeActivity({ consumers: [], oldestUndeliveredAgeMs: undefined, thresholdMs: T })).toEqual({
      live: false,
      reason: 'no consumer',
    });
  });
});
