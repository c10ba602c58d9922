// The plain fake's stores, in memory: the dead Coordinator outbox rows the requeue route acts on and the Audit DLQ
// the replay route reads. The sandbox replaces this with its real Postgres and Redis (src/sandbox/caracal/backend.ts).
import type { FakeBackend } from './fake-caracal-state.ts';

export interface MemoryOutboxRow {
  id: string;
  zoneId: string;
  status: 'pending' | 'published' | 'dead';
}

export interface MemoryDlqEntry {
  reason: string;
  /** The original event's `data`; blank means nothing to replay. */
  srcData: string;
}

export interface MemoryStores {
  coordinatorOutbox: MemoryOutboxRow[];
  auditDlq: MemoryDlqEntry[];
  /** What replay re-published, in order (the audit stream of the plain fake). */
  replayed: string[];
}

/** Caracal replays only these reasons, and only with a colon after the prefix (§15.2.5). */
export const REPLAYABLE_PREFIXES = ['transient_exceeded_max_deliveries', 'pg_permanent_error'] as const;

export function isReplayable(reason: string, srcData: string | undefined): boolean {
  if (srcData === undefined || srcData.trim() === '') return false;
  return REPLAYABLE_PREFIXES.some((p) => reason.startsWith(`${p}:`));
}

export function memoryBackend(stores: MemoryStores): FakeBackend {
  return {
    requeueCoordinatorOutbox(zoneId, id) {
      const row = stores.coordinatorOutbox.find((r) => r.id === id && r.zoneId === zoneId && r.status === 'dead');
      if (row) row.status = 'pending';
      return Promise.resolve(row !== undefined);
    },
    replayAuditDlq(limit) {
      const head = stores.auditDlq.slice(0, limit);
      const keep = head.filter((e) => !isReplayable(e.reason, e.srcData));
      for (const e of head) if (isReplayable(e.reason, e.srcData)) stores.replayed.push(e.srcData);
      stores.auditDlq.splice(0, head.length, ...keep);
      return Promise.resolve({ scanned: head.length, replayed: head.length - keep.length, skipped: keep.length });
    },
    coordinatorOutboxCounts() {
      const count = (status: MemoryOutboxRow['status']) => stores.coordinatorOutbox.filter((r) => r.status === status).length;
      return Promise.resolve({ pending: count('pending'), published: count('published'), dead: count('dead') });
    },
  };
}
