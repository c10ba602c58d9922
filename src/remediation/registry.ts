// Every remediation action, by the gate it is offered on.
import type { Gate } from '../checks/types.ts';
import { auditDlqReplay } from './audit-dlq-replay.ts';
import { coordinatorRequeue } from './coordinator-requeue.ts';
import { gatewayReload } from './gateway-reload.ts';
import { verifyChain } from './verify-chain.ts';
import { apiOutboxBreakGlass, replayRestartBreakGlass } from './break-glass.ts';
import { residueExportBreakGlass } from './residue-export.ts';
import type { RemediationAction } from './types.ts';

export const ALL_ACTIONS: readonly RemediationAction[] = [
  coordinatorRequeue, auditDlqReplay, apiOutboxBreakGlass, replayRestartBreakGlass, residueExportBreakGlass, gatewayReload, verifyChain,
];

export const actionsForGate = (gate: Gate): RemediationAction[] => ALL_ACTIONS.filter((a) => a.gate === gate);
export const findAction = (id: string): RemediationAction | undefined => ALL_ACTIONS.find((a) => a.id === id);
