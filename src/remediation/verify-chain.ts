// "Verify audit chain" on the Safety gate: the deep verification, run on demand, its report logged.
// Read-only, but it scans all of audit_events on Caracal's own Postgres: approvers only, one at a time across
// replicas, cancellable (issue 18; the guard is in actions/remediate.ts and remediation/exclusive.ts).
import { deepVerification } from '../audit/deep-check.ts';
import { TargetError } from '../errors.ts';
import type { RemediationAction } from './types.ts';

export const verifyChain: RemediationAction = {
  id: 'audit.verify_chain',
  title: 'Verify audit chain (deep)',
  gate: 'safety',
  exclusive: true,
  confirmText:
    'Reads every audit_events row of every zone and recomputes content hashes, links, chain_seq and (with the key) chain_hmac. Large tables take minutes.',
  async run(ctx, signal, progress) {
    try {
      const { outcome: r, summary } = await deepVerification(ctx, signal, progress);
      // The summary is recorded with the outcome: the run shows it as evidence for Resume (issue 12).
      return { ok: r.status !== 'fail', lines: r.evidence ?? [], summary: r.summary, ...(summary ? { verification: summary } : {}) };
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      return { ok: false, lines: [], summary: `The audit chain could not be read: ${err.message}` };
    }
  },
};
