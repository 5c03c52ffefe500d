/**
 * Residents' reports from the QR page: dispatch (in progress), close (resolved) or
 * reject, each with a reply the resident reads on their receipt page. A "有人被困" report
 * follows its alert: no moves of its own, a line saying so, its status the alert's.
 */
import { LINKED_ALERT_STEP_WORDS, wordOf } from '../../../protocol/words.ts';
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { errorText, formatTime, lang, t, tCode } from '../i18n.ts';
import type { View } from '../main.ts';
import { elevatorFullLabel, elevatorMatches, estateLabel } from '../names.ts';
import { followAlert, onReports, reportCategoryWord } from '../reports-live.ts';
import { store } from '../store.ts';
import type { Page, ResidentReport } from '../types.ts';
import { askNote, empty, errorBox, exportLinks, loading, select, stateBadge, toast } from '../ui.ts';
import { readFilters, writeFilters } from '../url-state.ts';

type Next = 'in_progress' | 'resolved' | 'rejected';
const DEFAULTS = { status: 'received', estate: '', search: '' };
let filters = { ...DEFAULTS };

async function move(report: ResidentReport, status: Next, verb: string): Promise<boolean> {
  const reply = await askNote({
    title: `${verb}: ${report.receipt} · ${elevatorFullLabel(report.elevator_id)}`,
    label: 'reply',
    confirm: verb,
    required: false,
    danger: status === 'rejected',
  });
  if (reply === null) return false;
  try {
    await api.post(
      `/reports/${encodeURIComponent(report.id)}/status`,
      reply ? { status, reply } : { status },
    );
    toast(t('done'));
    return true;
  } catch (error) {
    toast(t('actionFailed', { msg: errorText(error) }), 'error');
    return false;
  }
}

/** What the resident said after handling: confirmed or reopened, and the rating. */
function residentWord(r: ResidentReport): HTMLElement | null {
  if (r.feedback === null && r.reopen_count === 0) return null;
  const parts = [
    r.feedback === 'fixed' ? t('residentFixed') : r.feedback === 'not_fixed' ? t('residentNotFixed') : null,
    r.rating !== null ? t('ratedStars', { n: r.rating }) : null,
    r.reopen_count > 0 ? t('reopenedTimes', { n: r.reopen_count }) : null,
  ].filter((p) => p !== null);
  return h('p', { class: 'muted', 'data-testid': 'resident-word' }, parts.join(' · '));
}

/**
 * A report linked to an alert is handled through that alert: its badge says where the alarm
 * stands (已确认, 已到场, 已解决…), not the report's own status, which stays where it was filed.
 */
function statusBadge(r: ResidentReport): HTMLElement {
  if (!r.alert_step) return stateBadge(r.status);
  return h(
    'span',
    {
      class: `badge st-${r.alert_step === 'arrived' ? 'acknowledged' : r.alert_step}`,
      title: t('linkedAlert'),
      'data-testid': 'report-alert-step',
    },
    wordOf(LINKED_ALERT_STEP_WORDS, r.alert_step, lang()) ?? r.alert_step,
  );
}

function row(r: ResidentReport, reload: () => void): HTMLElement {
  const act = (status: Next, verb: string, cls = '') =>
    h(
      'button',
      { type: 'button', class: cls, onclick: () => void move(r, status, verb).then((ok) => ok && reload()) },
      verb,
    );
  const writer = store.canWrite();
  return h(
    'li',
    { class: 'report', 'data-report-id': r.id },
    h(
      'div',
      { class: 'alert-head' },
      h('strong', {}, r.receipt),
      statusBadge(r),
      h('span', { class: 'badge' }, reportCategoryWord(r.category)),
      h(
        'a',
        { href: `#/elevator/${encodeURIComponent(r.elevator_id)}`, 'data-testid': 'report-elevator' },
        elevatorFullLabel(r.elevator_id),
      ),
      h('time', { datetime: new Date(r.created_at).toISOString() }, formatTime(r.created_at)),
    ),
    h('p', { class: 'report-text' }, r.description),
    residentWord(r),
    r.reply ? h('p', { class: 'muted' }, `${t('reply')}: ${r.reply}`) : null,
    // A report its alert moves offers no moves of its own: the firm answers the alarm instead.
    r.follows_alert
      ? h('p', { class: 'muted', 'data-testid': 'report-follows-alert' }, t('reportFollowsAlert'))
      : null,
    writer && !r.follows_alert && r.status === 'received'
      ? h(
          'div',
          { class: 'actions' },
          act('in_progress', t('dispatch'), 'primary'),
          act('rejected', t('reject'), 'danger'),
        )
      : null,
    writer && !r.follows_alert && r.status === 'in_progress'
      ? h('div', { class: 'actions' }, act('resolved', t('close'), 'primary'))
      : null,
  );
}

export const reportsView: View = (host) => {
  filters = readFilters(DEFAULTS);
  const list = h('ul', { class: 'alerts', 'data-testid': 'report-list' });
  const exports = exportLinks('reports');
  const more = h('div', { class: 'more' });
  let items: ResidentReport[] = [];
  let nextOffset: number | null = null;

  const draw = () => {
    writeFilters(filters, DEFAULTS);
    exports.point({ status: filters.status || undefined, estate: filters.estate || undefined });
    const q = filters.search.trim().toLowerCase();
    const shown = items.filter(
      (r) =>
        !q ||
        [r.receipt, r.description, r.category].some((s) => s.toLowerCase().includes(q)) ||
        elevatorMatches(r.elevator_id, q),
    );
    mount(list, shown.length ? shown.map((r) => row(r, () => void load(0))) : empty());
    mount(
      more,
      nextOffset !== null
        ? h('button', { type: 'button', onclick: () => void load(nextOffset ?? 0) }, t('loadMore'))
        : null,
    );
  };

  async function load(offset: number): Promise<void> {
    if (offset === 0) mount(list, loading());
    try {
      const page = await api.get<Page<ResidentReport>>('/reports', {
        status: filters.status || undefined,
        estate: filters.estate || undefined,
        limit: 50,
        offset,
      });
      items = offset === 0 ? page.items : [...items, ...page.items];
      nextOffset = page.next_offset;
      draw();
    } catch (error) {
      mount(
        list,
        errorBox(error, () => void load(offset)),
      );
    }
  }

  const set = (key: 'status' | 'estate') => (v: string) => {
    filters[key] = v;
    void load(0);
  };
  mount(
    host,
    h(
      'div',
      { class: 'filters', role: 'search' },
      select(
        t('reportStatus'),
        filters.status,
        [
          ['', t('all')],
          ...['received', 'in_progress', 'resolved', 'rejected'].map((s): [string, string] => [s, tCode(s)]),
        ],
        set('status'),
      ),
      select(
        t('estate'),
        filters.estate,
        [['', t('all')], ...store.estates.map((e): [string, string] => [e.id, estateLabel(e)])],
        set('estate'),
      ),
      h(
        'label',
        { class: 'field' },
        h('span', {}, t('search')),
        h('input', {
          type: 'search',
          value: filters.search,
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
  void load(0);
  // A linked alert moving (acknowledged, on site, resolved) moves its reports: their badge and
  // status; one whose status leaves the filter leaves the list.
  const stopAlerts = store.onAlertPushed((alert) => {
    const moved = items.filter((r) => followAlert(r, alert));
    if (!moved.length) return;
    items = items.filter((r) => !moved.includes(r) || !filters.status || r.status === filters.status);
    draw();
  });
  // Reports arrive and move live: a pushed one replaces its row, a new one matching the
  // filters goes on top, one that left the filtered status leaves the list; no reload.
  const stopReports = onReports((report) => {
    if (report === null) return;
    const matches =
      (!filters.status || report.status === filters.status) &&
      (!filters.estate || report.estate_id === filters.estate);
    const at = items.findIndex((r) => r.id === report.id);
    // A push that does not say where its alert stands keeps what the row knew.
    if (at >= 0 && report.alert_step === undefined) report.alert_step = items[at]!.alert_step;
    if (at >= 0 && matches) items[at] = report;
    else if (at >= 0) items.splice(at, 1);
    else if (matches) items.unshift(report);
    else return;
    draw();
  });
  return () => {
    stopAlerts();
    stopReports();
  };
};
