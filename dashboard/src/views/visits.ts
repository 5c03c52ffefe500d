/**
 * Maintenance visits across every estate the officer sees, newest first: verdict, score,
 * technician and the evidence in words, filtered by estate, verdict and time (kept in the
 * URL), with the same filters' CSV export. Fake and doubtful visits are what a firm chases.
 */
import { api } from '../api.ts';
import { h, mount } from '../dom.ts';
import { t, tCode } from '../i18n.ts';
import type { View } from '../main.ts';
import { elevatorFullLabel, estateLabel } from '../names.ts';
import { store } from '../store.ts';
import type { Page, Visit } from '../types.ts';
import { empty, errorBox, exportLinks, loading, select } from '../ui.ts';
import { readFilters, writeFilters } from '../url-state.ts';
import { visitCard } from './elevator.ts';

const DAY = 86_400_000;
const SINCE: Record<string, number> = { '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY };
const DEFAULTS = { estate: '', verdict: '', since: '30d' };

export const visitsView: View = (host) => {
  const filters = readFilters(DEFAULTS);
  const list = h('ul', { class: 'alerts', 'data-testid': 'visit-list' });
  const more = h('div', { class: 'more' });
  const exports = exportLinks('visits');
  let items: Visit[] = [];
  let nextOffset: number | null = null;
  let generation = 0;

  const query = () => ({
    estate: filters.estate || undefined,
    verdict: filters.verdict || undefined,
    from: filters.since ? Date.now() - (SINCE[filters.since] ?? 0) : undefined,
  });
  const link = (v: Visit) =>
    h(
      'a',
      { href: `#/elevator/${encodeURIComponent(v.elevator_id)}`, 'data-testid': 'visit-elevator' },
      elevatorFullLabel(v.elevator_id),
    );

  async function load(offset: number): Promise<void> {
    const mine = ++generation;
    writeFilters(filters, DEFAULTS);
    exports.point(query());
    if (offset === 0) mount(list, loading());
    try {
      const page = await api.get<Page<Visit>>('/visits', { ...query(), limit: 50, offset });
      if (mine !== generation) return;
      items = offset === 0 ? page.items : [...items, ...page.items];
      nextOffset = page.next_offset;
      mount(list, items.length ? items.map((v) => visitCard(v, link(v))) : empty());
      mount(
        more,
        nextOffset !== null
          ? h('button', { type: 'button', onclick: () => void load(nextOffset ?? 0) }, t('loadMore'))
          : null,
      );
    } catch (error) {
      if (mine === generation)
        mount(
          list,
          errorBox(error, () => void load(offset)),
        );
    }
  }

  const set = (key: keyof typeof DEFAULTS) => (value: string) => {
    filters[key] = value;
    void load(0);
  };
  mount(
    host,
    h(
      'div',
      { class: 'filters', role: 'search' },
      select(
        t('estate'),
        filters.estate,
        [['', t('all')], ...store.estates.map((e): [string, string] => [e.id, estateLabel(e)])],
        set('estate'),
      ),
      select(
        t('verdict'),
        filters.verdict,
        [['', t('all')], ...['fake', 'suspect', 'verified'].map((v): [string, string] => [v, tCode(v)])],
        set('verdict'),
      ),
      select(
        t('since'),
        filters.since,
        [
          ['7d', t('last7d')],
          ['30d', t('last30d')],
          ['90d', t('last90d')],
          ['', t('anyTime')],
        ],
        set('since'),
      ),
      exports.links,
    ),
    list,
    more,
  );
  void load(0);
  return undefined;
};
