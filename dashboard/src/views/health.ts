/**
 * Condition-based maintenance in the firm's console (#/health): the lifts ranked by need of
 * attention (early visits and overdue ones first, then low scores), each with its score, the
 * next visit's latest date, the component to look at and the main reason; and one lift
 * (#/health/:id): reasons, recommendation, trend, and each signal over its usual band
 * (health-charts.ts, uPlot, loaded on demand).
 */
import { h, mount } from '../dom.ts';
import {
  dueWords,
  type ElevatorHealth,
  type HealthSummary,
  healthApi,
  healthLine,
  hw,
  type RankedLift,
  say,
} from '../health-api.ts';
import { formatTime } from '../i18n.ts';
import type { View } from '../main.ts';
import { store } from '../store.ts';
import { empty, errorBox, loading } from '../ui.ts';

function scoreBadge(hs: HealthSummary | null): HTMLElement {
  const line = healthLine(hs);
  const text = hs?.status === 'ok' ? String(hs.score) : '—';
  return h('span', { class: `health-score hs-${line.kind}`, 'data-score': hs?.score ?? '' }, text);
}

function trendWords(d: number | null): string {
  if (d === null) return '—';
  return `${d > 0 ? '↗' : d < 0 ? '↘' : '→'} ${hw('perDays', { n: d > 0 ? `+${d}` : d })}`;
}

function estateName(id: string): string {
  return store.estates.find((e) => e.id === id)?.name ?? id;
}

function rankRow(item: RankedLift, index: number): HTMLElement {
  const hs = item.health;
  const r = hs?.recommendation;
  const line = healthLine(hs);
  return h(
    'tr',
    {
      'data-elevator-id': item.elevator_id,
      'data-rank': index + 1,
      'data-early': r?.early ? 'true' : 'false',
      class: r?.early ? 'row-early' : r && r.due_in_days < 0 ? 'row-overdue' : '',
    },
    h('td', { class: 'num' }, index + 1),
    h(
      'td',
      {},
      h(
        'a',
        { href: `#/health/${encodeURIComponent(item.elevator_id)}` },
        store.elevatorLabel(item.elevator_id),
      ),
      h('div', { class: 'muted' }, estateName(item.estate_id)),
    ),
    h('td', {}, scoreBadge(hs)),
    h(
      'td',
      {},
      r && hs?.status === 'ok' ? r.latest_visit_date : r ? r.latest_visit_date : '—',
      r ? h('div', { class: r.due_in_days < 0 ? 'bad' : 'muted' }, dueWords(r.due_in_days)) : null,
    ),
    h(
      'td',
      {},
      r?.early ? h('span', { class: 'badge sev-major' }, `${hw('early')} · ${say(r.component)}`) : null,
      h('div', { class: `hl-${line.kind}` }, hs?.reasons[0] ? say(hs.reasons[0].text) : line.text),
    ),
    h('td', { class: 'muted' }, trendWords(hs?.trend.d30 ?? null)),
  );
}

function rankingTable(items: RankedLift[]): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'table health-ranking', 'data-testid': 'health-ranking' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, '#'),
          h('th', {}, hw('lift')),
          h('th', {}, hw('score')),
          h('th', {}, hw('nextVisit')),
          h('th', {}, hw('why')),
          h('th', {}, hw('trend')),
        ),
      ),
      h('tbody', {}, items.map(rankRow)),
    ),
  );
}

function summaryBlock(hs: HealthSummary | null): HTMLElement {
  if (!hs) return h('p', { class: 'state-msg empty' }, hw('noHealth'));
  const r = hs.recommendation;
  return h(
    'div',
    { class: 'health-summary', 'data-testid': 'health-summary' },
    h(
      'div',
      { class: 'alert-head' },
      scoreBadge(hs),
      hs.status !== 'ok' ? h('span', {}, say(hs.message)) : null,
      h('span', {}, `${hw('nextVisit')}: ${r.latest_visit_date} (${dueWords(r.due_in_days)})`),
      r.early ? h('span', { class: 'badge sev-major' }, `${hw('early')} · ${say(r.component)}`) : null,
      r.stretched ? h('span', { class: 'badge' }, hw('stretched')) : null,
      h('span', { class: 'muted' }, `${hw('trend')}: ${trendWords(hs.trend.d30)}`),
    ),
    h('h3', {}, hw('advice')),
    h(
      'ul',
      { class: 'links' },
      r.advice.map((a) => h('li', {}, say(a))),
    ),
    h(
      'p',
      { class: 'muted' },
      `${hw('lastVerified')}: ${r.last_verified_visit_at ? formatTime(r.last_verified_visit_at) : hw('none')}`,
    ),
    h('h3', {}, hw('reasons')),
    hs.reasons.length
      ? h(
          'ul',
          { class: 'score-bars', 'data-testid': 'health-reasons' },
          hs.reasons.map((x) =>
            h(
              'li',
              {},
              h('span', { class: 'bar neg', style: `width:${Math.min(100, x.points * 2.5)}%` }),
              h('span', { class: 'bar-text' }, `−${x.points} · ${say(x.component)} · ${say(x.text)}`),
            ),
          ),
        )
      : h('p', { class: 'good' }, hw('noReasons')),
  );
}

function detail(host: HTMLElement, id: string): () => void {
  const charts = h('div', { class: 'charts', 'data-testid': 'health-charts' });
  const summary = h('div', {});
  let destroy = () => {};
  let live = true;
  mount(
    host,
    h('p', {}, h('a', { href: '#/health' }, `← ${hw('back')}`)),
    h(
      'h1',
      {},
      `${store.elevatorLabel(id)} `,
      h('a', { href: `#/elevator/${encodeURIComponent(id)}`, class: 'muted' }, hw('elevatorPage')),
    ),
    summary,
    h('section', {}, h('h2', {}, hw('signals')), charts),
  );
  const load = async () => {
    mount(summary, loading());
    try {
      const [data, { renderHealthCharts }] = await Promise.all([
        healthApi.elevator(id),
        import('../health-charts.ts'),
      ]);
      if (!live) return;
      mount(summary, summaryBlock(data.health));
      destroy = renderHealthCharts(charts, data as ElevatorHealth);
      charts.dataset['state'] = 'ready';
    } catch (error) {
      if (live)
        mount(
          summary,
          errorBox(error, () => void load()),
        );
    }
  };
  void load();
  return () => {
    live = false;
    destroy();
  };
}

export const healthView: View = (host, id) => {
  if (id) return detail(host, id);
  const list = h('div', {});
  mount(host, h('h1', {}, hw('title')), h('p', { class: 'muted' }, hw('intro')), list);
  const load = async () => {
    mount(list, loading());
    try {
      const { items } = await healthApi.ranking();
      mount(list, items.length ? rankingTable(items) : empty());
    } catch (error) {
      mount(
        list,
        errorBox(error, () => void load()),
      );
    }
  };
  void load();
  return undefined;
};

/** The health line beside a fund proposal for a lift: loads on its own, says nothing on failure. */
export function healthBeside(elevatorId: string): HTMLElement {
  const el = h('p', { class: 'health-beside muted', 'data-testid': 'health-beside' }, '…');
  healthApi
    .elevator(elevatorId, 30)
    .then((data) => {
      const line = healthLine(data.health);
      el.className = `health-beside hl-${line.kind}`;
      mount(
        el,
        `${hw('besideProposal')}: `,
        h('a', { href: `#/health/${encodeURIComponent(elevatorId)}` }, line.text),
      );
    })
    .catch(() => el.remove());
  return el;
}
