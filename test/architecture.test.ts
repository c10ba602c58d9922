// The layers of src/ stay without cycles (.dependency-cruiser.cjs): the whole tree passes, and the same rules do
// catch a cycle when one is there (a fixture of two folders importing each other).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = fileURLToPath(new URL('../.dependency-cruiser.cjs', import.meta.url));
const BIN = fileURLToPath(new URL('../node_modules/dependency-cruiser/bin/dependency-cruise.mjs', import.meta.url));

type Violation = { rule: { name: string }; from: string; to: string };

async function violations(cwd: string): Promise<Violation[]> {
  const run = promisify(execFile);
  // depcruise exits non-zero when it finds violations; the JSON report is on stdout either way.
  const { stdout } = await run(process.execPath, [BIN, 'src', '--config', CONFIG, '--output-type', 'json'], {
    cwd,
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }));
  return (JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations;
}

describe('the architecture', () => {
  it('has no folder cycle, no run-time module cycle, a bottom domain layer and one composition root', async () => {
    expect(await violations(ROOT)).toEqual([]);
  }, 120_000);

  it('is checked by rules that do catch a cycle between folders', async () => {
    const found = await violations(fileURLToPath(new URL('fixtures/folder-cycle/', import.meta.url)));
    expect(found.map((v) => v.rule.name)).toEqual(expect.arrayContaining(['no-folder-cycle', 'no-file-cycle']));
  }, 120_000);
});
