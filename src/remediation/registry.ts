// Every remediation action. Where each is offered (next to the finding it fixes, on the open gate) is decided by
// placement.ts, not by the action's home gate.
import { auditDlqReplay } from './audit-dlq-replay.ts';
import { coordinatorRequeue } from './coordinator-requeue.ts';
import { gatewayReload } from './gateway-reload.ts';
import { verifyChain } from './verify-chain.ts';
import { apiOutboxBreakGlass, replayRestartBreakGlass } from './break-glass.ts';
import { residueExportBreakGlass } from './residue-export.ts';
import type { RemediationAction } from './types.ts';

export const ALL_ACTIONS: readonly RemediationAction[] = [
  coordinatorRequeue,
  auditDlqReplay,
  apiOutboxBreakGlass,
  replayRestartBreakGlass,
  residueExportBreakGlass,
  gatewayReload,
  verifyChain,
];

export const findAction = (id: string): RemediationAction | undefined => ALL_ACTIONS.find((a) => a.id === id);
