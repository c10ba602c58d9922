// The Caracal services the bot knows by name: shared by the schema (one URL list each) and by the checks.

export const SERVICES = ['sts', 'gateway', 'audit', 'api', 'coordinator'] as const;
export type ServiceName = (typeof SERVICES)[number];
/** The services whose pods hold state of their own (snapshots, counters, replay files): each pod is discovered. */
export const DISCOVERED_SERVICES = ['sts', 'gateway', 'audit'] as const satisfies readonly ServiceName[];
export type DiscoveredService = (typeof DISCOVERED_SERVICES)[number];

/** Caracal v1.0.0 ships these three migrations (caracal-ops.md §2.1). */
export const CARACAL_V1_MIGRATIONS = ['0001_baseline', '0002_approval_hardening', '0003_operator_run_token_usage'];
