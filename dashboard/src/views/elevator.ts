/**
 * One elevator: its condition and latest telemetry (live), history charts over a chosen
 * range, its alerts and its maintenance visits with the evidence score broken into the
 * reasons the visit judge gave.
 */
import {
  isVisitCap,
  SCORE_CRITERION_WORDS,
  SERVICE_MODE_WORDS,
  visitCapInWords,
  visitEvidenceInWords,
  wordOf,
} from '../../../protocol/words.ts';
import { api } from '../api.ts';
import { scoreBars } from '../charts.ts';
import { h, mount } from '../dom.ts';
import { formatTime, lang, t, tCode } from '../i18n.ts';
import type { View } from '../main.ts';
import { elevatorFullLabel } from '../names.ts';
import { technicianName } from '../people.ts';
import { store } from '../store.ts';
import type { Alert, Elevator, Page, ScoreReason, Visit } from '../types.ts';
import { conditionBadge, empty, errorBox, exportLinks, loading } from '../ui.ts';
import { alertRow } from './alerts.ts';
import { historySection } from './elevator-history.ts';

function facts(e: Elevator): HTMLElement {
  const tm = e.state.telemetry as Record<string, unknown> | null;
  const fact = (label: string, value: unknown) => [
    h('dt', {}, label),
    h('dd', {}, value === undefined || value === null ? '—' : String(value)),
  ];
  return h(
    'dl',
    { class: 'facts' },
    fact(t('currentState'), t(e.state.condition)),
    fact(t('lastHeard'), e.state.last_heard_at ? formatTime(e.state.last_heard_at) : null),
    fact(t('floor'), tm?.['floor']),
    fact(t('mode'), wordOf(SERVICE_MODE_WORDS, tm?.['mode'] as string | undefined, lang())),
    fact(t('door'), tm ? (tm['door_closed'] ? t('doorClosed') : t('doorOpen')) : null),
    fact(t('speed'), tm?.['speed_mps'] !== undefined ? `${tm['speed_mps']} m/s` : null),
    fact(t('runCount'), tm?.['run_count']),
  );
}

/**
 * One criterion of the score in the reader's language. The judge's sentence is English
 * (kept for the English console and the API); Chinese readers get the criterion's name from
 * the shared catalogue and the points, with the measured facts worded under the bars.
 */
function reasonInWords(r: ScoreReason): { points: number; reason: string } {
  if (lang() === 'en') return r;
  const name = wordOf(SCORE_CRITERION_WORDS, r.criterion, 'zh') ?? t('otherCriterion');
  return {
    points: r.points,
    reason: typeof r.max === 'number' ? `${name} · ${t('points', { points: r.points, max: r.max })}` : name,
  };
}

/**
 * One visit: kind, verdict, score, times, technician; why the verdict was capped (fake or
 * doubtful) in sentences; the score's criteria as bars with their points; the evidence in
 * words, or a sentence saying there was none.
 */
export function visitCard(v: Visit, lead: HTMLElement | null = null): HTMLElement {
  const reasons = Array.isArray(v.reasons) ? (v.reasons as ScoreReason[]) : [];
  const caps = reasons.filter(isVisitCap);
  const criteria = reasons.filter((r) => !isVisitCap(r));
  const evidence = visitEvidenceInWords(
    v.evidence && typeof v.evidence === 'object' ? (v.evidence as Record<string, unknown>) : null,
    lang(),
  );
  const minutes = v.check_out_at ? Math.round((v.check_out_at - v.check_in_at) / 60_000) : null;
  return h(
    'li',
    { class: `visit v-${v.verdict ?? 'pending'}`, 'data-visit-id': v.id },
    h(
      'div',
      { class: 'alert-head' },
      lead,
      h('strong', {}, tCode(v.kind)),
      h('span', { class: `badge v-${v.verdict ?? 'pending'}` }, tCode(v.verdict ?? v.status)),
      h('span', {}, `${t('score')}: ${v.evidence_score ?? '—'}`),
      h('span', { class: 'muted' }, `${t('checkIn')} ${formatTime(v.check_in_at)}`),
      minutes !== null
        ? h('span', { class: 'muted' }, `${t('duration')} ${t('minutesN', { n: minutes })}`)
        : null,
      h(
        'span',
        { class: 'muted', 'data-testid': 'visit-technician' },
        `${t('technician')} ${technicianName(v.technician_id)}`,
      ),
    ),
    caps.length
      ? h(
          'div',
          { class: 'verdict-basis', 'data-testid': 'visit-verdict-basis' },
          h('strong', {}, t('verdictBasis')),
          h(
            'ul',
            {},
            caps.map((r) => h('li', {}, visitCapInWords(r, lang()))),
          ),
        )
      : null,
    criteria.length ? scoreBars(criteria.map((r) => reasonInWords(r))) : null,
    evidence.length
      ? h(
          'ul',
          { class: 'evidence-words', 'data-testid': 'visit-evidence' },
          evidence.map((line) => h('li', {}, line)),
        )
      : v.verdict !== null
        ? h('p', { class: 'muted', 'data-testid': 'visit-evidence' }, t('noVisitEvidence'))
        : null,
  );
}

async function section<T>(
  host: HTMLElement,
  load: () => Promise<T>,
  draw: (value: T) => Node,
): Promise<void> {
  mount(host, loading());
  try {
    mount(host, draw(await load()));
  } catch (error) {
    mount(
      host,
      errorBox(error, () => void section(host, load, draw)),
    );
  }
}

export const elevatorView: View = (host, id) => {
  if (!id) return undefined;
  const head = h('div', { class: 'elevator-head' });
  const history = historySection(id);
  const alerts = h('div', {});
  const visits = h('div', {});

  const drawHead = () => {
    const e = store.elevators.get(id);
    if (!e) return mount(head, h('p', { class: 'state-msg error' }, t('elevatorNotFound')));
    mount(
      head,
      h('h1', {}, `${elevatorFullLabel(e.id)} `, conditionBadge(e.state.condition)),
      h(
        'p',
        { class: 'muted' },
        `${e.registration_code} · ${e.floors} ${t('floor')} · `,
        h('a', { href: e.qr_url, target: '_blank', rel: 'noopener' }, t('qrPage')),
      ),
      facts(e),
    );
  };
  const drawAlerts = () =>
    void section(
      alerts,
      () => api.get<Page<Alert>>('/alerts', { elevator: id, limit: 20 }),
      (page) =>
        page.items.length
          ? h(
              'ul',
              { class: 'alerts' },
              page.items.map((a) => alertRow(a, drawAlerts)),
            )
          : empty(),
    );

  const visitExports = exportLinks('visits');
  visitExports.point({ elevator: id });
  mount(
    host,
    h('p', {}, h('a', { href: '#/fleet' }, `← ${t('back')}`)),
    head,
    history.el,
    h('section', { 'aria-labelledby': 'h-alerts' }, h('h2', { id: 'h-alerts' }, t('navAlerts')), alerts),
    h(
      'section',
      { 'aria-labelledby': 'h-visits' },
      h('h2', { id: 'h-visits' }, t('visits'), ' ', visitExports.links),
      visits,
    ),
  );
  drawHead();
  drawAlerts();
  void section(
    visits,
    () => api.get<Page<Visit>>('/visits', { elevator: id, limit: 20 }),
    (page) =>
      page.items.length
        ? h(
            'ul',
            { class: 'alerts' },
            page.items.map((v) => visitCard(v)),
          )
        : empty(),
  );
  const offFleet = store.on('fleet', drawHead);
  const offAlerts = store.on('alerts', drawAlerts);
  return () => {
    offFleet();
    offAlerts();
    history.stop();
  };
};
