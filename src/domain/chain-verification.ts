// What a deep audit-chain verification found (src/audit/verify.ts): kept with the run as evidence for Resume.

export interface ChainFinding {
  zoneId: string;
  rowId: string;
  chainSeq: string;
  kinds: string[];
}

export interface ChainVerificationRecord {
  at: Date;
  clean: boolean;
  hmacChecked: boolean;
  rowsChecked: number;
  findings: ChainFinding[];
}
