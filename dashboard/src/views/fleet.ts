/**
 * The fleet board: every elevator of my estates as a tile coloured by its condition
 * (with the word as well, never colour alone), grouped by estate and building, filtered
 * by estate, condition and a search; redrawn when the socket reports a change.
 */
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View } from '../main.ts';
import { elevatorFullLabel, elevatorMatches, estateLabel } from '../names.ts';
import { store } from '../store.ts';
import type { Condition, Elevator } from '../types.ts';
import { conditionBadge, empty, select } from '../ui.ts';
import { readFilters, writeFilters } from '../url-state.ts';

const CONDITIONS: Condition[] = ['fault', 'offline', 'maintenance', 'normal'];
const DEFAULTS = { estate: '', condition: '', search: '' };
let filters = { ...DEFAULTS };

function matches(e: Elevator): boolean {
  if (filters.estate && e.estate_id !== filters.estate) return false;
  if (filters.condition && e.state.condition !== filters.condition) return false;
  return elevatorMatches(e.id, filters.search);
}

function tile(e: Elevator): HTMLElement {
  const telemetry = e.state.telemetry as { floor?: number; direction?: string } | null;
  const arrow = telemetry?.direction === 'up' ? ' ↑' : telemetry?.direction === 'down' ? ' ↓' : '';
  const alerts = e.state.open_alerts.length;
  return h(
    'a',
    {
      class: `tile c-${e.state.condition}`,
      href: `#/elevator/${encodeURIComponent(e.id)}`,
      'data-elevator': e.id,
      'data-condition': e.state.condition,
      // The tile sits under its estate's heading; the tooltip still names the estate.
      title: elevatorFullLabel(e.id),
    },
    h('span', { class: 'tile-name' }, store.elevatorLabel(e.id)),
    conditionBadge(e.state.condition),
    h(
      'span',
      { class: 'tile-meta' },
      telemetry?.floor !== undefined ? `${t('floor')} ${telemetry.floor}${arrow}` : '—',
      alerts ? h('span', { class: 'tile-alerts' }, t('openAlerts', { n: alerts })) : null,
    ),
  );
}

function summary(list: Elevator[]): string {
  const count = (c: Condition) => list.filter((e) => e.state.condition === c).length;
  return t('fleetSummary', {
    total: list.length,
    fault: count('fault'),
    maintenance: count('maintenance'),
    offline: count('offline'),
  });
}

function board(): HTMLElement[] {
  const shown = [...store.elevators.values()].filter(matches);
  if (shown.length === 0) return [empty()];
  const out: HTMLElement[] = [h('p', { class: 'summary', 'aria-live': 'polite' }, summary(shown))];
  for (const estate of store.estates) {
    const inEstate = shown.filter((e) => e.estate_id === estate.id);
    if (inEstate.length === 0) continue;
    // Faults first within each building so the eye lands on them.
    inEstate.sort(
      (a, b) =>
        a.building_name.localeCompare(b.building_name) ||
        CONDITIONS.indexOf(a.state.condition) - CONDITIONS.indexOf(b.state.condition) ||
        a.name.localeCompare(b.name),
    );
    out.push(
      h(
        'section',
        { class: 'estate', 'aria-label': estateLabel(estate) },
        h('h2', {}, estateLabel(estate)),
        h('div', { class: 'tiles' }, inEstate.map(tile)),
      ),
    );
  }
  return out;
}

export const fleetView: View = (host) => {
  filters = readFilters(DEFAULTS);
  const grid = h('div', { class: 'board', 'data-testid': 'fleet-board' });
  const redraw = () => {
    writeFilters(filters, DEFAULTS);
    mount(grid, board());
  };
  const search = h('input', {
    type: 'search',
    value: filters.search,
    placeholder: t('searchHint'),
    oninput: (e: Event) => {
      filters.search = (e.target as HTMLInputElement).value;
      redraw();
    },
  });
  mount(
    host,
    h(
      'div',
      { class: 'filters', role: 'search' },
      select(
        t('estate'),
        filters.estate,
        [['', t('all')], ...store.estates.map((e): [string, string] => [e.id, estateLabel(e)])],
        (v) => {
          filters.estate = v;
          redraw();
        },
      ),
      select(
        t('condition'),
        filters.condition,
        [['', t('all')], ...CONDITIONS.map((c): [string, string] => [c, t(c)])],
        (v) => {
          filters.condition = v;
          redraw();
        },
      ),
      h('label', { class: 'field' }, h('span', {}, t('search')), search),
    ),
    grid,
  );
  redraw();
  const offFleet = store.on('fleet', redraw);
  const offAlerts = store.on('alerts', redraw);
  return () => {
    offFleet();
    offAlerts();
  };
};
