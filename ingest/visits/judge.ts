/**
 * The visit judge: evidence → score 0–100 with a reason for every point, then a verdict.
 * Points follow the evidence table in docs/detection.md; hard caps encode the published
 * cases, so a high score on paper cannot hide a car that never left passenger service.
 */
import type { VisitKind } from '../../protocol/index.ts';
import { VISIT_KIND_WORDS, wordOf } from '../../protocol/words.ts';
import type { VisitVerdict } from '../../store/schema.ts';
import { minMinutes, TSG_ITEM_COUNT, type VisitLimits } from './limits.ts';
import type { ScoreReason, VisitEvidence, VisitJudgement } from './types.ts';

export interface VisitClaim {
  kind: VisitKind;
  /** null when the visit timed out without a check-out. */
  checkOutAt: number | null;
  items: number[] | null;
  floors: number;
}

/** Repairs have no class minimum; ten minutes away from passengers is the least a repair takes. */
const REPAIR_SERVICE_MIN = 10;

const round1 = (n: number) => Math.round(n * 10) / 10;
const share = (value: number, full: number) => (full <= 0 ? 1 : Math.max(0, Math.min(1, value / full)));

function scoreCriteria(claim: VisitClaim, e: VisitEvidence, limits: VisitLimits): ScoreReason[] {
  const minMin = minMinutes(claim.kind, limits);
  const serviceTarget = claim.kind === 'repair' ? REPAIR_SERVICE_MIN : 0.8 * minMin;
  const required = TSG_ITEM_COUNT[claim.kind];
  const reported = new Set((claim.items ?? []).filter((i) => i >= 1 && i <= required)).size;
  const doorTarget = Math.max(1, Math.ceil(claim.floors * limits.fullDoorCoverage));
  const unattributed = e.safetyOpeningsInInspection;
  const pitTested = e.stopSwitchPit > 0 || unattributed >= 1;
  const carTopTested = e.stopSwitchCarTop > 0 || unattributed >= (e.stopSwitchPit > 0 ? 1 : 2);
  const tripPoints = e.normalTrips <= 2 ? 10 : e.normalTrips <= 5 ? 5 : 0;
  return [
    {
      criterion: 'out_of_service',
      max: 25,
      points: round1(25 * share(e.serviceMin, serviceTarget)),
      reason: `${e.serviceMin} min in inspection or out of service; full points at ${round1(serviceTarget)} min`,
    },
    {
      criterion: 'duration',
      max: 15,
      points: round1(15 * share(e.durationMin, minMin)),
      reason: `visit lasted ${e.durationMin} min; ${claim.kind} needs at least ${minMin} min`,
    },
    {
      criterion: 'shaft_coverage',
      max: 15,
      points: round1(15 * share(e.shaftCoverage, limits.fullShaftCoverage)),
      reason: `${Math.round(e.shaftCoverage * 100)} % of landings reached in inspection; full points at ${Math.round(limits.fullShaftCoverage * 100)} %`,
    },
    {
      criterion: 'stop_switch_tests',
      max: 15,
      points: (pitTested ? 7.5 : 0) + (carTopTested ? 7.5 : 0),
      reason: `pit stop switch ${pitTested ? 'tested' : 'not tested'}, car-top stop switch ${carTopTested ? 'tested' : 'not tested'} (${e.stopSwitchPit} pit, ${e.stopSwitchCarTop} car-top events, ${unattributed} safety-circuit openings in inspection)`,
    },
    {
      criterion: 'door_checks',
      max: 10,
      points: round1(10 * share(e.doorCycleFloors.length, doorTarget)),
      reason: `doors cycled out of service at ${e.doorCycleFloors.length} landings; full points at ${doorTarget}`,
    },
    {
      criterion: 'no_passenger_service',
      max: 10,
      points: tripPoints,
      reason: `${e.normalTrips} normal-service trips (${e.passengerTrips} with passengers) during the visit; 10 points for ≤ 2, 5 for ≤ 5`,
    },
    {
      criterion: 'items_reported',
      max: 10,
      points: round1(10 * share(reported, required)),
      reason:
        required === 0
          ? 'repair: no TSG T5002 item list applies'
          : `${reported} of the ${required} TSG T5002 ${claim.kind} items reported at check-out`,
    },
  ];
}

interface Cap {
  verdict: VisitVerdict;
  reason: string;
  /** The same for the console, in Chinese with the figures. */
  zh: string;
}

function caps(claim: VisitClaim, e: VisitEvidence, limits: VisitLimits): Cap[] {
  const out: Cap[] = [];
  const minMin = minMinutes(claim.kind, limits);
  const required = TSG_ITEM_COUNT[claim.kind];
  const reported = new Set((claim.items ?? []).filter((i) => i >= 1 && i <= required)).size;
  const kindZh = wordOf(VISIT_KIND_WORDS, claim.kind, 'zh') ?? '维保';
  if (claim.kind !== 'repair' && e.serviceMin < minMin / 3) {
    out.push({
      verdict: 'fake',
      reason: `only ${e.serviceMin} min out of passenger service: under a third of the ${minMin} min minimum`,
      zh: `电梯停止载客仅 ${e.serviceMin} 分钟，不到${kindZh}最少 ${minMin} 分钟的三分之一`,
    });
  }
  if (e.normalTrips > 10 && e.serviceMin < e.durationMin / 2) {
    out.push({
      verdict: 'fake',
      reason: `${e.normalTrips} passenger-service trips: the lift kept running throughout (Zhuhai case)`,
      zh: `维保期间电梯正常载客运行 ${e.normalTrips} 次，一直没有停下（珠海案例）`,
    });
  }
  if (claim.kind !== 'repair' && e.durationMin < 0.6 * minMin) {
    out.push({
      verdict: 'suspect',
      reason: `${e.durationMin} min is too short for ${claim.kind} maintenance (Fuzhou case)`,
      zh: `维保只用了 ${e.durationMin} 分钟，${kindZh}至少需要 ${minMin} 分钟（福州案例）`,
    });
  }
  if (required > 0 && reported < 0.8 * required) {
    out.push({
      verdict: 'suspect',
      reason: `items reported cover ${reported} of ${required}: the record is incomplete`,
      zh: `签出时只填报了 ${required} 项中的 ${reported} 项，记录不完整`,
    });
  }
  if (claim.checkOutAt === null)
    out.push({
      verdict: 'suspect',
      reason: 'no check-out: the visit timed out',
      zh: '没有签出，维保记录超时未结束',
    });
  return out;
}

const RANK: Record<VisitVerdict, number> = { verified: 2, suspect: 1, fake: 0 };

export function judgeVisit(claim: VisitClaim, evidence: VisitEvidence, limits: VisitLimits): VisitJudgement {
  const reasons = scoreCriteria(claim, evidence, limits);
  const score = Math.round(reasons.reduce((sum, r) => sum + r.points, 0));
  let verdict: VisitVerdict =
    score >= limits.verifiedScore ? 'verified' : score >= limits.suspectScore ? 'suspect' : 'fake';
  for (const cap of caps(claim, evidence, limits)) {
    if (RANK[cap.verdict] < RANK[verdict]) verdict = cap.verdict;
    reasons.push({ criterion: `cap_${cap.verdict}`, points: 0, max: 0, reason: cap.reason, zh: cap.zh });
  }
  return { score, verdict, reasons };
}
