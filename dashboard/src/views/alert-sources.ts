/**
 * Who raised an alert (the detector, a resident's "有人被困" report, or both: one alert)
 * and what residents wrote, plus the "到场" line: shown on the alarm banner and the alert
 * rows so the duty officer sees both sources of one alarm.
 */
import { h } from '../dom.ts';
import { formatTime, t } from '../i18n.ts';
import { personName } from '../people.ts';
import type { Alert } from '../types.ts';

interface ResidentSaid {
  receipt?: unknown;
  description?: unknown;
}

/** Shown when a resident is among the sources (a detector-only alert needs no badge). */
export function sourceBadges(a: Alert): HTMLElement | null {
  if (!a.sources.includes('resident')) return null;
  return h(
    'span',
    { class: 'sources', 'data-sources': a.sources.join(',') },
    a.sources.map((s) =>
      h(
        'span',
        { class: `badge src-${s}`, 'data-source': s },
        s === 'resident' ? t('sourceResident') : t('sourceDetector'),
      ),
    ),
  );
}

/** What residents wrote when they reported it (kept in the alert's evidence). */
export function residentLines(a: Alert): HTMLElement | null {
  const said = a.evidence['resident_reports'];
  if (!Array.isArray(said) || said.length === 0) return null;
  return h(
    'ul',
    { class: 'resident-said', 'data-testid': 'resident-said' },
    (said as ResidentSaid[]).map((r) =>
      h('li', {}, t('residentSaid', { receipt: String(r.receipt ?? ''), text: String(r.description ?? '') })),
    ),
  );
}

export function arrivalLine(a: Alert): HTMLElement | null {
  if (a.arrived_at === null) return null;
  const text = t('arrivedBy', { when: formatTime(a.arrived_at), who: personName(a.arrived_by) });
  return h('p', { 'data-testid': 'arrived' }, a.arrive_note ? `${text}: ${a.arrive_note}` : text);
}
