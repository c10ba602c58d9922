// Every action_id, block_id prefix and callback_id the bot uses. Builders and listeners import the same constants.

export const ACTION = {
  statusRerun: 'status_rerun',
  statusDetails: 'status_details',
  statusStartRecovery: 'status_start_recovery',
  gateRunChecks: 'gate_run_checks',
  gateClaim: 'gate_claim',
  gateConfirm: 'gate_confirm',
  gateOverride: 'gate_override',
  overrideApprove: 'override_approve',
  overrideReject: 'override_reject',
  freezeChecklist: 'freeze_checklist',
  gateRemediate: 'gate_remediate',
  breakGlassDone: 'break_glass_done',
  /** On the clicker's ephemeral action card: run it, or dismiss the card. */
  remediateRun: 'remediate_run',
  remediateCancel: 'remediate_cancel',
  drillMark: 'drill_mark',
  troubleshootRun: 'troubleshoot_run',
  alertRunChecks: 'alert_run_checks',
  alertStartRecovery: 'alert_start_recovery',
  alertSample: 'alert_sample',
  resumeAcknowledge: 'resume_acknowledge_alerts',
  /** On a stale claim's reminder: let go of the claim. */
  gateRelease: 'gate_release',
} as const;

export const BLOCK = {
  statusHeader: 'status_header',
  statusCheck: 'status_check',
  statusActions: 'status_actions',
  statusOverflow: 'status_overflow',
  gate: 'gate',
  gateActions: 'gate_actions',
  overrideReason: 'override_reason',
} as const;

export const VIEW = {
  overrideModal: 'override_modal',
} as const;

export const ELEMENT = {
  overrideReasonInput: 'override_reason_input',
} as const;

export const SHORTCUT = {
  addToIncidentLog: 'add_to_incident_log',
} as const;

export type ActionId = (typeof ACTION)[keyof typeof ACTION];

/**
 * Slack wants action ids unique within a block, so buttons of one kind in one block get a suffix after `:`
 * (their payload is in the value); listeners match the base id with or without one.
 */
export function uniqueActionId(base: ActionId, suffix: string): string {
  return `${base}:${suffix}`;
}

export function actionIdPattern(base: ActionId): RegExp {
  return new RegExp(`^${base}(?::[\\w.-]+)?$`);
}
