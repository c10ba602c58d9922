// postgres.tables: the v1.0 baseline's tables exist, retired ones are gone, and the audit partition window is there.
// What infra/postgres/scripts/verify.sh asserts about tables, with the full list (caracal-ops.md §2.3).
import type { CheckDefinition, CheckOutcome } from '../types.ts';
import { withPostgres } from './shared.ts';

/** The 45 tables of 0001_baseline (caracal-ops.md §2.3). Not the old docs' list: it names tables that never shipped. */
export const CARACAL_TABLES = [
  'admin_audit_events',
  'admin_tokens',
  'agent_invocations',
  'agent_services',
  'agent_topology',
  'applications',
  'audit_chain_rehash',
  'audit_events',
  'audit_events_default',
  'audit_export_watermark',
  'audit_ingest_alerts',
  'audit_retention',
  'authority_records',
  'caracal_outbox',
  'coordinator_idempotency_receipts',
  'delegated_grants',
  'delegation_edges',
  'delegation_graph_epochs',
  'event_outbox',
  'notification_deliveries',
  'notification_sinks',
  'operator_ai_providers',
  'operator_conversation_counters',
  'operator_conversations',
  'operator_message_run_events',
  'operator_message_runs',
  'operator_plan_secrets',
  'operator_turns',
  'operator_zone_memory',
  'policies',
  'policy_set_bindings',
  'policy_set_versions',
  'policy_sets',
  'policy_versions',
  'provider_connections',
  'providers',
  'resources',
  'secret_store',
  'secrets',
  'sessions',
  'step_up_challenges',
  'sts_rate_limit',
  'subject_issuers',
  'workloads',
  'zones',
] as const;

/** verify.sh asserts these are absent; their presence means an old schema was restored or left behind. */
const RETIRED_TABLES = ['gateway_binding_revision', 'gateway_resource_bindings', 'invitations', 'teams'];

/** Partition names for the month of `now` (UTC) and the next three: the window the Audit retention job keeps. */
function expectedAuditPartitions(now: Date): string[] {
  return [0, 1, 2, 3].map((offset) => {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    return `audit_events_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
  });
}

// pg_class rather than information_schema: the latter hides tables the bot's role has no privilege on.
const CATALOG_SQL = `
  SELECT c.relname, parent.relname AS parent
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_catalog.pg_inherits i ON i.inhrelid = c.oid
  LEFT JOIN pg_catalog.pg_class parent ON parent.oid = i.inhparent
  WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')`;

export const postgresTables: CheckDefinition = {
  id: 'postgres.tables',
  title: 'Caracal tables',
  gates: ['storage'],
  reads: 'pg_catalog: tables in schema public and their partition parents',
  run: (ctx) =>
    withPostgres(ctx, async (pg) => {
      const rows = await pg.query<{ relname: string; parent: string | null }>(CATALOG_SQL);
      const present = new Set(rows.map((r) => r.relname));
      // A same-named table that is not attached to audit_events receives no events, so it does not count.
      const attached = new Set(rows.filter((r) => r.parent === 'audit_events').map((r) => r.relname));

      const missing = CARACAL_TABLES.filter((t) => !present.has(t));
      const retired = RETIRED_TABLES.filter((t) => present.has(t));
      const partitions = expectedAuditPartitions(ctx.now());
      const missingPartitions = partitions.filter((p) => !attached.has(p));

      const metrics = {
        publicTables: rows.length,
        expectedTables: CARACAL_TABLES.length,
        missingTables: missing.length,
        retiredPresent: retired.length,
        missingPartitions: missingPartitions.length,
      };
      const evidence = [
        `${CARACAL_TABLES.length - missing.length} of ${CARACAL_TABLES.length} baseline tables present`,
        ...(missing.length ? [`missing tables: ${missing.join(', ')}`] : []),
        ...(retired.length ? [`retired tables present: ${retired.join(', ')}`] : []),
        `audit partitions expected: ${partitions.join(', ')}`,
        ...(missingPartitions.length ? [`audit partitions missing: ${missingPartitions.join(', ')}`] : []),
      ];
      const out = (o: Omit<CheckOutcome, 'metrics' | 'evidence'>): CheckOutcome => ({ ...o, metrics, evidence });

      if (missing.length > 0) {
        return out({
          status: 'fail',
          summary: `${missing.length} Caracal table${missing.length > 1 ? 's' : ''} missing: ${missing.join(', ')}.`,
          remedy:
            'Check that caracal.postgres.url points at the control-plane database and that migrations ran; ' +
            'restore missing tables from backup. The bot never writes Caracal tables.',
          matrix: ['postgres'],
        });
      }
      const warnings: string[] = [];
      const remedies: string[] = [];
      if (retired.length > 0) {
        warnings.push(`retired tables present: ${retired.join(', ')}`);
        remedies.push(
          'Retired tables mean an old schema was restored or left behind: ' + 'find out which release wrote them before removing anything.',
        );
      }
      if (missingPartitions.length > 0) {
        warnings.push(`audit partitions missing: ${missingPartitions.join(', ')}`);
        remedies.push(
          "Audit's retention job keeps the current month + 3 partitions: " +
            'check that Audit runs and holds the retention lease. Until then events land in audit_events_default. ' +
            'A DBA can create a month with SELECT public.audit_partition_ensure(date).',
        );
      }
      if (warnings.length > 0) {
        const summary = `All baseline tables present, but ${warnings.join('; ')}.`;
        return out({ status: 'warn', summary, remedy: remedies.join(' ') });
      }
      return out({
        status: 'pass',
        summary: `All ${CARACAL_TABLES.length} baseline tables and the 4 monthly audit partitions are present.`,
      });
    }),
};
