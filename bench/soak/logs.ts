// What the replica processes logged (pino JSON lines, one file per process): errors, and entries the dispatcher
// found already posted after a crash instead of posting them twice.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LogFigures {
  /** Lines at level error or fatal, across every replica process. */
  errors: number;
  /** Log entries an earlier (crashed) attempt had posted, found in the thread and not posted again. */
  repostsAvoided: number;
}

export function readReplicaLogs(dir: string): LogFigures {
  const lines = readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'));
  const level = (line: string) => Number(/"level":(\d+)/.exec(line)?.[1] ?? 0);
  return {
    errors: lines.filter((l) => level(l) >= 50).length,
    repostsAvoided: lines.filter((l) => l.includes('already in the thread from an earlier attempt')).length,
  };
}
