/**
 * The resident's one line about the lift's health (issue 16): a plain-words state from the
 * newest `health_daily` point, with no score, code or signal name. Read with the card (card.ts),
 * so a QR hit never asks InfluxDB; a health read that fails leaves the line out.
 */
import type { HealthPoint } from '../data/health.ts';
import type { Lang } from './i18n.ts';

export type ResidentHealthState = 'good' | 'watch' | 'early' | 'gathering';

export interface ResidentHealth {
  state: ResidentHealthState;
  /** The part the firm was asked to check early, as residents would name it. */
  part: 'door' | 'levelling' | 'brake' | 'drive' | null;
}

/** Below this score a lift is "watched" though no early visit is asked (score.ts healthyScore). */
const HEALTHY_SCORE = 85;

export function residentHealthOf(point: HealthPoint | null): ResidentHealth | null {
  if (!point) return null;
  if (point.status !== 'ok' || point.score === null) return { state: 'gathering', part: null };
  if (point.early) {
    const part =
      point.component === 'door_operator'
        ? 'door'
        : point.component === 'levelling'
          ? 'levelling'
          : point.component === 'brake'
            ? 'brake'
            : point.component === 'drive'
              ? 'drive'
              : null;
    return { state: 'early', part };
  }
  return { state: point.score >= HEALTHY_SCORE ? 'good' : 'watch', part: null };
}

const PART_WORDS: Record<Lang, Record<NonNullable<ResidentHealth['part']>, string>> = {
  zh: { door: '电梯门', levelling: '停靠平层', brake: '制动器', drive: '运行部件' },
  en: { door: 'the doors', levelling: 'levelling at the floors', brake: 'the brake', drive: 'the drive' },
};

export const HEALTH_LABEL: Record<Lang, string> = { zh: '设备健康', en: 'Lift health' };

export function residentHealthWords(h: ResidentHealth, lang: Lang): string {
  const part = h.part ? PART_WORDS[lang][h.part] : lang === 'zh' ? '部分部件' : 'a part';
  switch (h.state) {
    case 'good':
      return lang === 'zh' ? '良好，各项运行指标正常' : 'Good: running as it usually does';
    case 'watch':
      return lang === 'zh' ? '一般，维保单位正在关注' : 'Fair: the maintenance firm is watching it';
    case 'early':
      return lang === 'zh'
        ? `${part}需要检查，已要求维保单位提前上门`
        : `${part.charAt(0).toUpperCase()}${part.slice(1)} need${h.part === 'door' ? '' : 's'} a check; the maintenance firm has been asked to come early`;
    case 'gathering':
      return lang === 'zh' ? '正在积累运行数据，暂无评估' : 'Still gathering data: no assessment yet';
    default:
      return h.state satisfies never;
  }
}
