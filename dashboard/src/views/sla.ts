/**
 * #/sla: the monthly SLA report per estate (GET /api/v1/sla): 3-minute response and
 * 30-minute arrival rates, median times, and the residents' ratings and reopened reports,
 * with the CSV for the firm's monthly report. The month and estate live in the URL. The
 * column words come from the shared catalogue (protocol/sla-words.ts), as the CSV's do. The
 * reports' figures count each report by its effective status (alerts/sla.ts).
 */
import type { Static } from '@sinclair/typebox';
import type { SlaReport } from '../../../protocol/sla.ts';
import { SLA_COLUMNS, SLA_GROUPS, type SlaColumn, type SlaGroup } from '../../../protocol/sla-words.ts';
import { api, apiUrl } from '../api.ts';
import { h, mount } from '../dom.ts';
import { lang, t } from '../i18n.ts';
import type { View } from '../main.ts';
import { estateLabel } from '../names.ts';
import { store } from '../store.ts';
import { errorBox, loading, select } from '../ui.ts';
import { readFilters, writeFilters } from '../url-state.ts';

type Report = Static<typeof SlaReport>;
type Row = Report['estates'][number];

/** This month in Beijing time, 'YYYY-MM'. */
function thisMonth(): string {
  return new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
}

/** Months offered in the picker: this one and the two years before it. */
const MONTHS_BACK = 24;

/** 'YYYY-MM' months from `latest` back, newest first; `keep` stays offered (a shared link's month). */
export function monthChoices(latest: string, keep: string): string[] {
  const [y, m] = latest.split('-').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = 0; i < MONTHS_BACK; i++) {
    const d = new Date(Date.UTC(y, m - 1 - i, 1));
    out.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  if (/^\d{4}-\d\d$/.test(keep) && !out.includes(keep)) out.push(keep);
  return out.sort().reverse();
}

/**
 * "2026年11月" (or "Nov 2026"): the picker is a <select> of worded months, since Chromium's
 * native <input type=month> speaks the browser's language, not the console's.
 */
function monthWord(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  if (lang() === 'zh') return `${y}年${m}月`;
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en', {
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

function cell(row: Row, key: SlaColumn): string {
  const value = row[key];
  if (value === null) return '—';
  if (key === 'estate_name') return String(value);
  if (key.endsWith('_rate')) return `${Math.round((value as number) * 1000) / 10}%`;
  if (key.endsWith('_ms'))
    return `${Math.round((value as number) / 6000) / 10} ${lang() === 'zh' ? '分钟' : 'min'}`;
  if (key === 'average_rating') return (value as number).toFixed(1);
  return String(value);
}

const say = (words: { zh: string; en: string }) => (lang() === 'zh' ? words.zh : words.en);

/**
 * The report as a table with a two-row header: each group of figures (紧急警报, 3分钟响应,
 * 30分钟到场, 处置, 住户报告) over its short column words, so the 20 columns fit a 1440 px
 * screen. Each cell carries its column's whole word too (data-label): on a phone the rows
 * become one card per estate, a figure a line with its word beside it (styles.css).
 */
function slaTable(report: Report): HTMLElement {
  const groups: { group: SlaGroup; span: number }[] = [];
  for (const c of SLA_COLUMNS) {
    if (!c.group) continue;
    const last = groups.at(-1);
    if (last?.group === c.group) last.span++;
    else groups.push({ group: c.group, span: 1 });
  }
  const [estate, ...figures] = SLA_COLUMNS;
  return h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col', rowspan: 2, 'data-col': estate!.key }, say(estate!)),
        groups.map((g) =>
          h('th', { scope: 'colgroup', colspan: g.span, class: 'group' }, say(SLA_GROUPS[g.group])),
        ),
      ),
      h(
        'tr',
        {},
        figures.map((c) => h('th', { scope: 'col', title: say(c) }, say(c.head ?? c))),
      ),
    ),
    h(
      'tbody',
      {},
      report.estates.map((row) =>
        h(
          'tr',
          { 'data-estate-id': row.estate_id },
          SLA_COLUMNS.map((c) => h('td', { 'data-col': c.key, 'data-label': say(c) }, cell(row, c.key))),
        ),
      ),
    ),
  );
}

export const slaView: View = (host) => {
  const defaults = { month: thisMonth(), estate: '' };
  const filters = readFilters(defaults);
  const table = h('div', { class: 'sla-report', 'data-testid': 'sla-report' });
  const csv = h('a', { class: 'button export', download: '', 'data-testid': 'export-csv' }, t('exportCsv'));

  const monthPicker = select(
    t('slaMonth'),
    filters.month,
    monthChoices(thisMonth(), filters.month).map((m): [string, string] => [m, monthWord(m)]),
    (v) => {
      filters.month = v || thisMonth();
      void load();
    },
  );
  monthPicker.querySelector('select')?.setAttribute('data-testid', 'sla-month');

  // A month picked twice in a row sends two requests; only the latest one's answer is shown,
  // whichever arrives last (an earlier month's late answer once replaced this month's table).
  let latest = 0;
  async function load(): Promise<void> {
    const mine = ++latest;
    writeFilters(filters, defaults);
    const query = { month: filters.month, estate: filters.estate || undefined };
    csv.setAttribute('href', apiUrl('/sla.csv', query));
    mount(table, loading());
    try {
      const report = await api.get<Report>('/sla', query);
      if (mine === latest) mount(table, slaTable(report));
    } catch (error) {
      if (mine !== latest) return;
      mount(
        table,
        errorBox(error, () => void load()),
      );
    }
  }

  mount(
    host,
    h('h2', {}, t('slaTitle')),
    h(
      'div',
      { class: 'filters' },
      monthPicker,
      select(
        t('estate'),
        filters.estate,
        [['', t('all')], ...store.estates.map((e): [string, string] => [e.id, estateLabel(e)])],
        (v) => {
          filters.estate = v;
          void load();
        },
      ),
      csv,
    ),
    h('p', { class: 'muted' }, t('slaHint')),
    table,
  );
  void load();
  return undefined;
};
