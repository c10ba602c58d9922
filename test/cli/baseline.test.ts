// `caracal-chatops check --baseline FILE` (issue 12): written when absent, judged against when present.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommand, EXIT } from '../../src/cli/check.ts';
import { SetupError } from '../../src/cli/exit-codes.ts';
import type { ResidueBaseline } from '../../src/checks/residue/baseline.ts';
import type { CheckDefinition } from '../../src/checks/types.ts';

const dir = mkdtempSync(join(tmpdir(), 'cc-baseline-'));
const CONFIG = join(dir, 'empty.yml');
writeFileSync(CONFIG, '');

function io() {
  const err: string[] = [];
  return { err, io: { out: () => undefined, err: (t: string) => err.push(t), env: { CARACAL_CHATOPS_CONFIG: CONFIG } } };
}

/** A check that records the residue baseline it was judged against. */
function probe(seen: (ResidueBaseline | undefined)[]): CheckDefinition {
  return {
    id: 'p.p',
    title: 'probe',
    gates: ['evidence'],
    reads: '-',
    run: (ctx) => {
      seen.push(ctx.incident?.residue);
      return Promise.resolve({ status: 'pass', summary: 'read' });
    },
  };
}

describe('check --baseline', () => {
  it('writes the baseline when the file is absent, then judges against the same baseline', async () => {
    const file = join(dir, 'incident.json');
    const seen: (ResidueBaseline | undefined)[] = [];
    const first = io();
    expect(await checkCommand(['--baseline', file], first.io, [probe(seen)])).toBe(EXIT.pass);
    const written = JSON.parse(readFileSync(file, 'utf8')) as ResidueBaseline;
    expect(first.err.join('\n')).toContain(`baseline written to ${file} at ${written.takenAt}`);
    // No Redis configured here: the baseline says what it could not read, so entries are judged by their time.
    expect(written.unread).toEqual(['Redis (not configured)']);

    const second = io();
    expect(await checkCommand(['--baseline', file], second.io, [probe(seen)])).toBe(EXIT.pass);
    expect(second.err.join('\n')).toContain(`judged against the baseline ${file} taken at ${written.takenAt}`);
    expect(seen).toEqual([written, written]);
  });

  it('refuses a file that is not a residue baseline (configuration error, exit 78)', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ v: 2 }));
    await expect(checkCommand(['--baseline', file], io().io, [probe([])])).rejects.toThrow(SetupError);
    writeFileSync(file, 'not json');
    await expect(checkCommand(['--baseline', file], io().io, [probe([])])).rejects.toThrow(/not JSON/);
  });
});
