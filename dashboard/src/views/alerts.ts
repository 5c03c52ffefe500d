/**
 * The alert list. "Live" (the default) is the open and acknowledged alerts the socket
 * keeps current; the other states page through the API. Filters by severity, estate and
 * time, plus a search over label, code and elevator. Critical rows carry SLA clocks.
 */
import { alertEvidenceInWords, ESCALATION_REASON_WORDS, wordOf } from '../../../protocol/words.ts';
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { formatTime, type Key, lang, t } from '../i18n.ts';
import type { View } from '../main.ts';
import { elevatorFullLabel, elevatorMatches, estateLabel, estateName } from '../names.ts';
import { personName } from '../people.ts';
import { hasSla } from '../sla.ts';
import { store } from '../store.ts';
import type { Alert, Page } from '../types.ts';
import { empty, errorBox, exportLinks, loading, select, severityBadge, stateBadge } from '../ui.ts';
import { readFilters, writeFilters } from '../url-state.ts';
import { acknowledgeAlert, arriveAlert, resolveAlert } from './alert-actions.ts';
import { arrivalLine, residentLines, sourceBadges } from './alert-sources.ts';
import { slaChips } from './sla-chip.ts';

const SEVERITY_RANK: Record<string, number> = { critical: 0, major: 1, minor: 2, info: 3 };
const SINCE: Record<string, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const DEFAULTS = { state: 'live', severity: '', estate: '', since: '', search: '' };
let filters = { ...DEFAULTS };

export function alertLabel(a: Alert): string {
  return lang() === 'en' ? a.label_en : a.label_zh;
}

function searchHit(a: Alert): boolean {
  const q = filters.search.trim().toLowerCase();
  if (!q) return true;
  return (
    [a.label_en, a.label_zh, a.code, estateName(a.estate_id)].some((s) => s.toLowerCase().includes(q)) ||
    elevatorMatches(a.elevator_id, q)
  );
}

const RESOLUTION_WORDS = {
  fault: 'resolution_fault',
  false_alarm: 'resolution_false_alarm',
  auto_cleared: 'resolution_auto_cleared',
} as const satisfies Record<NonNullable<Alert['resolution']>, Key>;

/** What a resolved alert was, in words (never the code): real fault handled, false alarm, cleared by itself. */
function resolutionBadge(resolution: NonNullable<Alert['resolution']>): HTMLElement {
  return h(
    'span',
    { class: `badge res-${resolution}`, 'data-testid': 'resolution', 'data-resolution': resolution },
    t(RESOLUTION_WORDS[resolution]),
  );
}

/** The on-call chain has been called: the reason in words (never the code), the time on hover. */
function escalationBadge(a: Alert): HTMLElement {
  return h(
    'span',
    {
      class: 'badge escalated',
      'data-testid': 'escalated',
      title: a.escalated_at !== null ? formatTime(a.escalated_at) : null,
    },
    wordOf(ESCALATION_REASON_WORDS, a.escalation_reason, lang()) ??
      (lang() === 'zh' ? '已升级' : 'Escalated'),
  );
}

/** What the rule saw, in words from the shared catalogue (never the raw JSON). */
function evidenceList(evidence: unknown): HTMLElement | null {
  const lines = alertEvidenceInWords(evidence, lang());
  if (lines.length === 0) return null;
  return h(
    'details',
    { 'data-testid': 'alert-evidence' },
    h('summary', {}, t('evidence')),
    h(
      'ul',
      { class: 'evidence-words' },
      lines.map((line) => h('li', {}, line)),
    ),
  );
}

export function alertRow(a: Alert, onChange?: () => void): HTMLElement {
  const live = a.state !== 'resolved';
  const writer = store.canWrite();
  const after = (p: Promise<Alert | null>) => void p.then((r) => r && onChange?.());
  return h(
    'li',
    { class: `alert sev-${a.severity} st-${a.state}`, 'data-alert-id': a.id, 'data-state': a.state },
    h(
      'div',
      { class: 'alert-head' },
      severityBadge(a.severity),
      h('strong', { class: 'alert-label' }, alertLabel(a)),
      stateBadge(a.state),
      a.resolution ? resolutionBadge(a.resolution) : null,
      a.escalated_at !== null ? escalationBadge(a) : null,
      h(
        'a',
        { href: `#/elevator/${encodeURIComponent(a.elevator_id)}`, 'data-testid': 'alert-elevator' },
        elevatorFullLabel(a.elevator_id),
      ),
      h('time', { datetime: new Date(a.opened_at).toISOString() }, formatTime(a.opened_at)),
      a.count > 1 ? h('span', { class: 'muted' }, `×${a.count}`) : null,
      sourceBadges(a),
    ),
    hasSla(a) ? slaChips(a, store.arrivals.get(a.id) ?? null) : null,
    h(
      'div',
      { class: 'alert-notes muted' },
      a.ack_note
        ? h(
            'p',
            {},
            `${t('acknowledged')}: ${a.ack_note} (${t('by', { who: personName(a.acknowledged_by) })})`,
          )
        : null,
      arrivalLine(a),
      a.resolve_note
        ? h('p', {}, `${t('resolved')}: ${a.resolve_note} (${t('by', { who: personName(a.resolved_by) })})`)
        : null,
    ),
    residentLines(a),
    evidenceList(a.evidence),
    writer && live
      ? h(
          'div',
          { class: 'actions' },
          a.state === 'open'
            ? h(
                'button',
                { type: 'button', class: 'primary', onclick: () => after(acknowledgeAlert(a)) },
                t('acknowledge'),
              )
            : null,
          hasSla(a) && a.arrived_at === null
            ? h(
                'button',
                { type: 'button', 'data-action': 'arrive', onclick: () => after(arriveAlert(a)) },
                t('arrive'),
              )
            : null,
          h('button', { type: 'button', onclick: () => after(resolveAlert(a)) }, t('resolve')),
        )
      : null,
  );
}

function liveList(): Alert[] {
  return [...store.liveAlerts.values()]
    .filter((a) => !filters.severity || a.severity === filters.severity)
    .filter((a) => !filters.estate || a.estate_id === filters.estate)
    .filter((a) => !filters.since || a.opened_at >= Date.now() - (SINCE[filters.since] ?? 0))
    .sort(
      (a, b) =>
        (a.state === 'open' ? 0 : 1) - (b.state === 'open' ? 0 : 1) ||
        (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9) ||
        b.opened_at - a.opened_at,
    );
}

export const alertsView: View = (host) => {
  filters = readFilters(DEFAULTS);
  const list = h('ul', { class: 'alerts', 'aria-live': 'polite', 'data-testid': 'alert-list' });
  // The exports carry the same filters as the list (live means open and acknowledged: all states).
  const exports = exportLinks('alerts');
  const exportQuery = () => ({
    state: ['open', 'acknowledged', 'resolved'].includes(filters.state) ? filters.state : undefined,
    severity: filters.severity || undefined,
    estate: filters.estate || undefined,
    from: filters.since ? Date.now() - (SINCE[filters.since] ?? 0) : undefined,
  });
  const more = h('div', { class: 'more' });
  let fetched: Alert[] = [];
  let nextOffset: number | null = null;
  let generation = 0;

  const draw = () => {
    writeFilters(filters, DEFAULTS);
    exports.point(exportQuery());
    const rows = (filters.state === 'live' ? liveList() : fetched).filter(searchHit);
    mount(list, rows.length ? rows.map((a) => alertRow(a, reload)) : empty());
    mount(
      more,
      filters.state !== 'live' && nextOffset !== null
        ? h('button', { type: 'button', onclick: () => void fetchPage(nextOffset ?? 0) }, t('loadMore'))
        : null,
    );
  };

  async function fetchPage(offset: number): Promise<void> {
    const mine = ++generation;
    if (offset === 0) mount(list, loading());
    try {
      const page = await api.get<Page<Alert>>('/alerts', {
        state: filters.state === 'all' ? undefined : filters.state,
        severity: filters.severity || undefined,
        estate: filters.estate || undefined,
        from: filters.since ? Date.now() - (SINCE[filters.since] ?? 0) : undefined,
        limit: 50,
        offset,
      });
      if (mine !== generation) return;
      fetched = offset === 0 ? page.items : [...fetched, ...page.items];
      nextOffset = page.next_offset;
      draw();
    } catch (error) {
      if (mine === generation)
        mount(
          list,
          errorBox(error, () => void fetchPage(offset)),
        );
    }
  }

  function reload(): void {
    if (filters.state === 'live') draw();
    else void fetchPage(0);
  }

  const set = (key: keyof typeof filters) => (value: string) => {
    filters[key] = value;
    reload();
  };
  mount(
    host,
    h(
      'div',
      { class: 'filters', role: 'search' },
      select(
        t('state'),
        filters.state,
        [
          ['live', `${t('open')} + ${t('acknowledged')}`],
          ['open', t('open')],
          ['acknowledged', t('acknowledged')],
          ['resolved', t('resolved')],
          ['all', t('all')],
        ],
        set('state'),
      ),
      select(
        t('severity'),
        filters.severity,
        [
          ['', t('all')],
          ...['critical', 'major', 'minor', 'info'].map((s): [string, string] => [s, t(s as 'critical')]),
        ],
        set('severity'),
      ),
      select(
        t('estate'),
        filters.estate,
        [['', t('all')], ...store.estates.map((e): [string, string] => [e.id, estateLabel(e)])],
        set('estate'),
      ),
      select(
        t('since'),
        filters.since,
        [
          ['', t('anyTime')],
          ['24h', t('last24h')],
          ['7d', t('last7d')],
          ['30d', t('last30d')],
        ],
        set('since'),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', {}, t('search')),
        h('input', {
          type: 'search',
          value: filters.search,
          placeholder: t('searchHint'),
          oninput: (e: Event) => {
            filters.search = (e.target as HTMLInputElement).value;
            draw();
          },
        }),
      ),
      exports.links,
    ),
    list,
    more,
  );
  reload();
  return store.on('alerts', reload);
};
