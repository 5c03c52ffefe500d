/**
 * Maintenance visits as the judge sees them. The data shapes live in protocol/findings.ts
 * (the lifecycle and the API read them too); the judge's own result type lives here.
 */
import type { ScoreReason, VisitVerdict } from '../../protocol/index.ts';

export type {
  MaintenanceVisit,
  ScoreReason,
  VisitEvidence,
  VisitVerdict,
} from '../../protocol/index.ts';

export interface VisitJudgement {
  score: number;
  verdict: VisitVerdict;
  reasons: ScoreReason[];
}
