// The six gates of a recovery run, in the runbook's order (caracal-ops.md §12): the one list every layer uses.
// The SQL check constraint on gate columns is compared with it by test/domain/gates.test.ts.

export const GATES = ['freeze', 'storage', 'services', 'evidence', 'safety', 'resume'] as const;
export type Gate = (typeof GATES)[number];

export const GATE_TITLES: Record<Gate, string> = {
  freeze: 'Freeze risky changes',
  storage: 'Restore Postgres and Redis',
  services: 'Restore STS, API, Gateway, Audit, Coordinator',
  evidence: 'Drain audit replay, DLQ and outboxes',
  safety: 'Confirm revocation and policy freshness',
  resume: 'Resume traffic',
};

/** The Freeze gate is a checklist an approver confirms (caracal-ops.md §12, first row). */
export const FREEZE_CHECKLIST = {
  rollouts: 'Risky rollouts paused (deploys, Helm upgrades, migrations)',
  policies: 'Policy activations frozen',
  control: 'Control automation frozen (CONTROL_GATE_FILE gone or control.enabled=false)',
} as const;
export type FreezeItem = keyof typeof FREEZE_CHECKLIST;

/**
 * Resume undoes what Freeze recorded, item by item, each ticked by whoever restored it (issue 12 item 6).
 * Each is a checkbox label, and Slack refuses an option text over 75 characters (blocks/limits.ts).
 */
export const UNFREEZE_CHECKLIST: Record<FreezeItem, string> = {
  rollouts: 'Rollouts resumed (deploys, Helm upgrades, migrations)',
  policies: 'Policy activations unfrozen',
  control: 'Control automation restored (CONTROL_GATE_FILE, control.enabled as before)',
};

/** The gates that carry a checklist, and its items. */
export const CHECKLISTS: Partial<Record<Gate, Record<FreezeItem, string>>> = { freeze: FREEZE_CHECKLIST, resume: UNFREEZE_CHECKLIST };
export const CHECKLIST_ITEMS = Object.keys(FREEZE_CHECKLIST) as FreezeItem[];
