// Issue 18: target text is scrubbed before it is shortened. An error page that echoes the metrics bearer at a
// place where the 120-character snippet cuts it must not leave the token's first characters in the evidence.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCheckTargets } from '../../../src/checks/context.ts';
import { readMetricsJson } from '../../../src/checks/http/metrics-json.ts';
import { z } from 'zod';
import { testConfig } from '../../helpers/check-context.ts';

const TOKEN = 'Zq9XwTr7Lp2MvB8nKc4YhD6sJf1GtR3uWe5AiO0xNlQ';

describe('scrub before shortening', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    // 114 characters, then the token: the snippet's cut at 119 keeps its first five characters.
    server = createServer((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${'e'.repeat(114)}${TOKEN} and more`);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('an echoed token cut by the snippet leaves none of its characters', async () => {
    const targets = createCheckTargets(testConfig({ caracal: { services: { sts: [base] } } }, { CARACAL_METRICS_BEARER: TOKEN }));
    const read = await readMetricsJson(targets.context, base, z.object({}), AbortSignal.timeout(3000));
    expect(read.ok).toBe(false);
    const problem = read.ok ? '' : read.problem;
    expect(problem).toMatch(/^answered HTTP 500: e+/);
    expect(problem).not.toContain(TOKEN.slice(0, 5));
    await targets.close();
  });
});
