import { describe, expect, it } from 'vitest';
import { joinUrl } from '../src/url.ts';

describe('joinUrl', () => {
  it('names one endpoint whether or not the base ends with slashes', () => {
    for (const base of ['http://api:8080', 'http://api:8080/', 'http://api:8080//'])
      expect(joinUrl(base, '/ready')).toBe('http://api:8080/ready');
    expect(joinUrl('https://x.slack.com/', '/archives/C1/p1')).toBe('https://x.slack.com/archives/C1/p1');
    expect(joinUrl('http://audit:9090/base/', '/api/audit/dlq/replay?limit=1000')).toBe(
      'http://audit:9090/base/api/audit/dlq/replay?limit=1000',
    );
  });
});
