// Break-glass for residue Caracal never clears (caracal-ops.md §15.2.4): entries of the `<stream>.dead` streams and
// Audit DLQ entries with integrity reasons (never replayed, no delete endpoint). They are evidence: the bot reads
// them (XRANGE, ids and every field, scrubbed) into the incident log first, then shows the exact XDEL a person runs;
// "Done by me" records who did. The bot itself never deletes anything from Caracal's Redis.
import { TargetError } from '../errors.ts';
import { AUDIT_DLQ, DEAD } from '../checks/redis/caracal-streams.ts';
import { isIntegrityReason } from '../checks/redis/dlq-reasons.ts';
import * as info from '../checks/redis/stream-info.ts';
import type { RedisTarget } from '../checks/targets/redis.ts';
import { scrubber, type Scrub } from '../redact.ts';
import type { ActionOutcome, RemediationAction } from './types.ts';

/** Per stream; more than this and the step says so, and a second round exports the rest. */
export const EXPORT_MAX_PER_STREAM = 500;
/** Ids per XDEL command: short enough to paste, long enough to be few. */
const XDEL_BATCH = 50;

interface StreamExport {
  stream: string;
  entries: info.StreamEntry[];
  more: boolean;
}

async function read(redis: RedisTarget, stream: string, keep: (e: info.StreamEntry) => boolean): Promise<StreamExport> {
  const entries = info.parseEntries(await redis.command('XRANGE', stream, '-', '+', 'COUNT', EXPORT_MAX_PER_STREAM));
  return { stream, entries: entries.filter(keep), more: entries.length === EXPORT_MAX_PER_STREAM };
}

/** One line per entry, whole: the stream, its id, and every field as key=value (JSON-quoted, so nothing is ambiguous). */
export function entryLine(stream: string, e: info.StreamEntry, scrub: Scrub): string {
  const fields = Object.entries(e.fields)
    .map(([k, v]) => `${k}=${JSON.stringify(scrub(v))}`)
    .join(' ');
  return `${stream} ${e.id} ${fields}`;
}

export function xdelCommands(stream: string, ids: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += XDEL_BATCH) out.push(`XDEL ${stream} ${ids.slice(i, i + XDEL_BATCH).join(' ')}`);
  return out;
}

export async function exportResidue(redis: RedisTarget, scrub: Scrub): Promise<ActionOutcome> {
  const exports: StreamExport[] = [];
  for (const stream of DEAD) exports.push(await read(redis, stream, () => true));
  // Replayable DLQ entries are not residue: the replay action takes them back.
  exports.push(await read(redis, AUDIT_DLQ, (e) => isIntegrityReason(e.fields.reason)));
  const found = exports.filter((x) => x.entries.length > 0);
  const total = found.reduce((n, x) => n + x.entries.length, 0);
  if (total === 0)
    return {
      ok: true,
      lines: [],
      summary: 'No dead-lettered entries and no integrity entries in the Audit DLQ: nothing to export or remove.',
    };
  const exported = found.flatMap((x) => x.entries.map((e) => entryLine(x.stream, e, scrub)));
  const more = found.filter((x) => x.more).map((x) => x.stream);
  return {
    ok: true,
    lines: found.flatMap((x) =>
      xdelCommands(
        x.stream,
        x.entries.map((e) => e.id),
      ),
    ),
    summary:
      `Exported ${total} entries (${found.map((x) => `${x.stream}: ${x.entries.length}`).join(', ')}) into the incident log. ` +
      "Once the export is in the thread, remove exactly these ids with the XDEL commands below (redis-cli against Caracal's Redis, " +
      `its database), then press "Done by me".${more.length ? ` ${more.join(', ')} held more than ${EXPORT_MAX_PER_STREAM}: run this step again for the rest.` : ''}`,
    logExport: { what: `${total} residue entries (XRANGE, ids and fields, scrubbed)`, lines: exported },
  };
}

export const residueExportBreakGlass: RemediationAction = {
  id: 'residue.export',
  title: 'Break-glass: export and remove residue',
  gate: 'evidence',
  breakGlass: true,
  confirmText:
    'Reads every entry of the .dead streams and the Audit DLQ integrity entries (XRANGE), writes them with ids and fields ' +
    '(scrubbed) into the incident log, then shows the exact XDEL for a person to run. The bot deletes nothing.',
  async run(ctx) {
    if (!ctx.redis) return { ok: false, lines: [], summary: "Caracal's Redis is not configured: the residue cannot be read." };
    try {
      return await exportResidue(ctx.redis, scrubber(Object.values(ctx.secrets)));
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      return { ok: false, lines: [], summary: `Could not read Caracal's Redis (${err.message}): nothing exported, nothing to remove yet.` };
    }
  },
};
