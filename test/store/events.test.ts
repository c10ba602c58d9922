// The run's event log is typed: the writer refuses data of the wrong shape, the reader validates every row, a row
// written before the schema version existed is read as version 1, and a version this bot does not know is an error.
import { copyFileSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION, EventShapeError, type EventDraft } from '../../src/domain/events.ts';
import { postgresDb, type Db } from '../../src/store/db.ts';
import { appendEvent, listEvents } from '../../src/store/events.ts';
import { migrate, MIGRATIONS_DIR } from '../../src/store/migrate.ts';
import { createTempDatabase, type TempDatabase } from '../helpers/pg.ts';

const AT = new Date('2026-11-30T03:00:00Z');
let temp: TempDatabase;
let db: Db;

/** The migrations before the schema version column: the database as an older bot left it. */
function migrationsBefore(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) if (f.endsWith('.sql') && f < version) copyFileSync(join(MIGRATIONS_DIR, f), join(dir, f));
  return dir;
}

async function newRun(id: string): Promise<void> {
  await db.query(
    `INSERT INTO runs (id, channel_id, title, kind, status, started_by, started_at) VALUES ($1, $1, 't', 'recovery', 'active', 'U1', $2)`,
    [id, AT],
  );
}

beforeAll(async () => {
  temp = await createTempDatabase('events');
  db = postgresDb(temp.url);
  await migrate(db, migrationsBefore('0014'));
  await newRun('old');
  // Written by the bot before events carried a schema version.
  await db.query(`INSERT INTO events (run_id, at, actor, type, data) VALUES ('old', $1, 'U1', 'note', '{"text":"from before"}')`, [AT]);
  await migrate(db);
  await newRun('r1');
});
afterAll(async () => {
  await db.close();
  await temp.drop();
});

describe('the event log', () => {
  it('reads a row written before the schema version as version 1', async () => {
    const [e] = await listEvents(db, 'old');
    expect(e.type).toBe('note');
    expect(e.type === 'note' && e.data.text).toBe('from before');
  });

  it('writes the schema version with each event and reads the data back typed', async () => {
    await appendEvent(db, 'r1', AT, { type: 'gate_claimed', gate: 'storage', actor: 'U2', data: { previous: 'U1' } });
    const { rows } = await db.query<{ v: number }>(`SELECT v FROM events WHERE run_id = 'r1'`);
    expect(rows.map((r) => r.v)).toEqual([EVENT_SCHEMA_VERSION]);
    const [e] = await listEvents(db, 'r1');
    expect(e).toMatchObject({ type: 'gate_claimed', gate: 'storage', actor: 'U2', data: { previous: 'U1' } });
  });

  it('refuses to write data of another shape: a missing field, a wrong type, a field no schema names', async () => {
    const bad = [
      { type: 'note', gate: undefined, actor: 'U1', data: {} },
      { type: 'confirm_vote', gate: 'storage', actor: 'U1', data: { votes: 'U1', required: 1 } },
      { type: 'note', gate: undefined, actor: 'U1', data: { text: 'hi', token: 'xoxb-leak' } },
    ] as unknown as EventDraft[];
    for (const e of bad) await expect(appendEvent(db, 'r1', AT, e)).rejects.toBeInstanceOf(EventShapeError);
    expect(await listEvents(db, 'r1')).toHaveLength(1);
  });

  it('refuses to guess at a row of an unknown version, an unknown type or a changed shape', async () => {
    await newRun('r2');
    await db.query(`INSERT INTO events (run_id, at, actor, type, v, data) VALUES ('r2', $1, 'U1', 'note', 2, '{"body":"new shape"}')`, [
      AT,
    ]);
    await expect(listEvents(db, 'r2')).rejects.toThrow(/schema version 2 is not one this bot reads/);
    await newRun('r3');
    await db.query(`INSERT INTO events (run_id, at, actor, type, data) VALUES ('r3', $1, 'U1', 'telepathy', '{}')`, [AT]);
    await expect(listEvents(db, 'r3')).rejects.toThrow(/unknown type telepathy/);
    await newRun('r4');
    await db.query(`INSERT INTO events (run_id, at, actor, type, data) VALUES ('r4', $1, 'U1', 'gate_handed_off', '{"to":"U2"}')`, [AT]);
    await expect(listEvents(db, 'r4')).rejects.toBeInstanceOf(EventShapeError);
  });
});
