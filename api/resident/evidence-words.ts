/**
 * A visit's measured evidence in plain words ("52 min in inspection mode, whole shaft
 * travelled, pit and car-top stop switches tested"). The ingest writes evidence_json;
 * its keys are protocol/findings.ts VisitEvidence (camelCase); snake_case is accepted too.
 */
import type { Lang } from './i18n.ts';

type Evidence = Record<string, unknown>;

function pick(e: Evidence, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const v = e[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (Array.isArray(v)) return v.length;
  }
  return undefined;
}

export function evidenceInWords(evidence: Evidence | null, lang: Lang): string[] {
  if (!evidence) return [];
  const zh = lang === 'zh';
  const out: string[] = [];
  const inspection = pick(evidence, 'inspectionMin', 'inspection_minutes', 'minutes_in_inspection');
  if (inspection !== undefined) {
    const m = Math.round(inspection);
    out.push(zh ? `检修模式 ${m} 分钟` : `${m} min in inspection mode`);
  }
  let coverage = pick(evidence, 'shaftCoverage', 'shaft_coverage', 'coverage');
  if (coverage !== undefined) {
    if (coverage > 1) coverage /= 100;
    if (coverage >= 0.95) out.push(zh ? '走完整个井道' : 'whole shaft travelled');
    else
      out.push(
        zh
          ? `走过 ${Math.round(coverage * 100)}% 井道`
          : `${Math.round(coverage * 100)}% of the shaft travelled`,
      );
  }
  const pit = pick(evidence, 'stopSwitchPit', 'pit_stop_tests', 'stop_switch_pit') ?? 0;
  const carTop = pick(evidence, 'stopSwitchCarTop', 'car_top_stop_tests', 'stop_switch_car_top') ?? 0;
  if (pit > 0 && carTop > 0)
    out.push(zh ? '测试了底坑和轿顶急停开关' : 'pit and car-top stop switches tested');
  else if (pit > 0) out.push(zh ? '测试了底坑急停开关' : 'pit stop switch tested');
  else if (carTop > 0) out.push(zh ? '测试了轿顶急停开关' : 'car-top stop switch tested');
  else if ('stopSwitchPit' in evidence || 'pit_stop_tests' in evidence)
    out.push(zh ? '未见急停开关测试' : 'no stop-switch test seen');
  const landings = pick(evidence, 'doorCycleFloors', 'door_cycle_landings', 'door_cycles');
  if (landings !== undefined && landings > 0)
    out.push(zh ? `${landings} 个层站开关门检查` : `doors checked at ${landings} landings`);
  const trips = pick(evidence, 'passengerTrips', 'normal_trips', 'passenger_trips');
  if (trips !== undefined && trips > 0)
    out.push(zh ? `期间仍有 ${trips} 次载客运行` : `${trips} passenger trips during the visit`);
  return out;
}
