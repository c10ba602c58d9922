// Every action_id, block_id prefix and callback_id the bot uses. Builders and listeners import the same constants.

export const ACTION = {
  statusRerun: 'status_rerun',
  statusDetails: 'status_details',
} as const;

export const BLOCK = {
  statusHeader: 'status_header',
  statusCheck: 'status_check',
  statusActions: 'status_actions',
  statusOverflow: 'status_overflow',
} as const;

export type ActionId = (typeof ACTION)[keyof typeof ACTION];
