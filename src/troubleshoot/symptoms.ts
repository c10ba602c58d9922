// The runbook's troubleshooting table (caracal-ops.md §12, last rows, corrected by §15.2.8): each symptom, what is going on in
// Caracal's code, and the checks (and actions) that tell which cause it is.

interface SymptomRow {
  id: string;
  title: string;
  explanation: string;
  checks: readonly string[];
  actions: readonly string[];
}

/** `as const`: the ids below are the type of a symptom id (the button payload takes exactly these). */
export const SYMPTOMS = [
  {
    id: 'fail-closed',
    title: 'Requests fail closed after an outage',
    explanation:
      'Caracal stays closed until evidence, revocation and policy freshness are back. Usual causes: a stale Gateway revocation snapshot (503 "revocation state unavailable" on every proxied request), an open Gateway to STS circuit (sts_unreachable), Redis down for the JTI replay check, or the audit evidence-loss latch (audit_evidence_lost: replace the pod).',
    checks: ['gateway.revocation', 'services.ready', 'redis.reachable', 'sts.policy', 'audit.replay'],
    actions: ['gateway.reload', 'replay.restart_pods'],
  },
  {
    id: 'duplicates',
    title: 'Events appear duplicated',
    explanation:
      'Consumers are idempotent: audit rows are keyed (id, occurred_at) and a replay with different content becomes tamper_on_replay in the DLQ; Coordinator outbox rows are UNIQUE (producer, topic, dedupe_key); the lifecycle relay skips outbox_ids seen in the last hour (coordinator:relay_dedupe). Duplicates after a replay are expected on the stream, not in the stores. A content mismatch is the thing to look for.',
    checks: ['audit.dlq', 'audit.tamper', 'outbox.coordinator', 'outbox.api'],
    actions: ['audit.verify_chain'],
  },
  {
    id: 'rollback',
    title: 'Rollback does not restore service',
    explanation:
      'Migrations are forward-only: Helm rollback does not reverse them. The Coordinator refuses to start when the schema lacks columns or grants it needs (it checks columns of sessions and the DELETE grant): a newer Coordinator on an older schema, typically after restoring an older database backup. Compare schema_migrations with the app version: run the missing migrations (roll forward), or run the app version that matches the restored schema.',
    checks: ['postgres.migrations', 'postgres.tables', 'services.ready'],
    actions: [],
  },
] as const satisfies readonly SymptomRow[];

export type SymptomId = (typeof SYMPTOMS)[number]['id'];
export type Symptom = SymptomRow & { id: SymptomId };

export const SYMPTOM_IDS: readonly SymptomId[] = SYMPTOMS.map((s) => s.id);

export const findSymptom = (id: string): Symptom | undefined => SYMPTOMS.find((s) => s.id === id.toLowerCase());
