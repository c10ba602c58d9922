// `check --baseline FILE`: the residue baseline outside Slack (issue 12). Absent, the file is written from what
// Caracal holds now (the start of an incident); present, the checks judge what is new since it and show the rest
// as old residue. The file holds counts, stream ids and URLs, never a secret.
import { readFile, writeFile } from 'node:fs/promises';
import { BASELINE_TIMEOUT_MS, captureBaseline, residueBaselineSchema, type IncidentScope } from '../checks/residue/baseline.ts';
import type { CheckContext } from '../checks/types.ts';
import { SetupError } from './exit-codes.ts';

export interface BaselineFileResult {
  scope: IncidentScope;
  /** One line for stderr: whether the file was written or read, and when the baseline was taken. */
  note: string;
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SetupError(`check: cannot read the baseline ${path}: ${(err as Error).message}`);
  }
}

export async function useBaselineFile(path: string, ctx: CheckContext): Promise<BaselineFileResult> {
  const text = await readIfPresent(path);
  if (text === undefined) {
    const residue = await captureBaseline(ctx, AbortSignal.timeout(BASELINE_TIMEOUT_MS));
    // wx: two invocations racing must not overwrite each other's baseline.
    await writeFile(path, `${JSON.stringify(residue, null, 2)}\n`, { flag: 'wx' });
    const unread = residue.unread.length ? ` (not read: ${residue.unread.join('; ')})` : '';
    return { scope: { startedAt: new Date(residue.takenAt), residue }, note: `baseline written to ${path} at ${residue.takenAt}${unread}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SetupError(`check: the baseline ${path} is not JSON`);
  }
  const parsed = residueBaselineSchema.safeParse(json);
  if (!parsed.success)
    throw new SetupError(
      `check: the baseline ${path} is not a residue baseline: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  return {
    scope: { startedAt: new Date(parsed.data.takenAt), residue: parsed.data },
    note: `judged against the baseline ${path} taken at ${parsed.data.takenAt}`,
  };
}
