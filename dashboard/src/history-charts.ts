/**
 * An elevator's history as uPlot charts, one per series: trips and door cycles as bars per
 * bin, floor and the run counter as steps, speed as a line. Loaded on demand by the
 * elevator page (a dynamic import), so uPlot and its CSS stay out of the main bundle.
 * Charts follow their box's width (ResizeObserver); `renderHistoryCharts` returns the
 * function that destroys them.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, mount } from './dom.ts';
import { binCounts, COUNT_FIELDS, type HistoryData, type HistoryField, RANGES, total } from './history.ts';
import { formatTime, type Key, lang, t } from './i18n.ts';

type Kind = 'bars' | 'steps' | 'line';

const CHARTS: { field: HistoryField; title: Key; kind: Kind }[] = [
  { field: 'trips', title: 'trips', kind: 'bars' },
  { field: 'floor', title: 'floorOverTime', kind: 'steps' },
  { field: 'door_cycles', title: 'doorCycles', kind: 'bars' },
  { field: 'speed_max', title: 'speedOverTime', kind: 'line' },
  { field: 'run_count', title: 'runCounter', kind: 'steps' },
];

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
/** Counts and floors are whole numbers: no ticks in between. */
const WHOLE_INCRS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6];

function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

function locale(): string {
  return lang() === 'zh' ? 'zh-CN' : 'en-GB';
}

/** Axis ticks: times within a day, dates beyond, both when the ticks are hours over days. */
function timeTicks(span: number): uPlot.Axis.Values {
  const hm = new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', hour12: false });
  const md = new Intl.DateTimeFormat(locale(), { month: 'numeric', day: 'numeric' });
  return (_u, splits, _axis, _space, incr) =>
    splits.map((v) => {
      if (incr >= DAY) return md.format(v);
      if (span <= DAY) return hm.format(v);
      return `${md.format(v)} ${hm.format(v)}`;
    });
}

function binLabel(binMs: number): string {
  if (binMs >= DAY) return t('binDay');
  if (binMs >= HOUR) return t('binHours', { n: binMs / HOUR });
  return t('binMinutes', { n: binMs / MIN });
}

const round = (v: number) => String(Math.round(v * 100) / 100);
/** Wide enough for the longest tick label (a run counter's 183,400), no wider. */
const axisSize: uPlot.Axis.Size = (_u, values) =>
  18 + 7 * Math.max(2, ...(values ?? []).map((v) => v.length));

interface Drawn {
  x: number[];
  y: (number | null)[];
  summary: string;
}

/** What one chart draws: bins for counts, the rows as answered for readings. */
function drawnData(data: HistoryData, field: HistoryField): Drawn {
  const values = data.values[field];
  if (COUNT_FIELDS.includes(field)) {
    const { binMs } = RANGES[data.range];
    const bins = binCounts(data.t, values, data.from, data.to, binMs);
    return {
      x: bins.t,
      y: bins.values,
      summary: t('chartTotal', { n: total(bins.values), bin: binLabel(binMs) }),
    };
  }
  const known = values.filter((v): v is number => v !== null);
  const summary = known.length ? `${round(Math.min(...known))} – ${round(Math.max(...known))}` : '';
  return { x: data.t, y: values, summary };
}

function chartOptions(data: HistoryData, title: string, kind: Kind, width: number): uPlot.Options {
  const accent = cssColor('--accent', '#1f5fbf');
  const muted = cssColor('--muted', '#5b6470');
  const line = cssColor('--line', '#d8dce2');
  const whole = kind !== 'line';
  const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
  const paths =
    kind === 'bars'
      ? uPlot.paths.bars?.({ align: 1, size: [0.8, 40] })
      : kind === 'steps'
        ? uPlot.paths.stepped?.({ align: 1 })
        : undefined;
  return {
    width,
    height: width < 420 ? 150 : 180,
    ms: 1,
    legend: { show: true, live: true },
    cursor: { y: false, points: { show: kind !== 'bars' } },
    scales: {
      x: { time: true, range: [data.from, data.to] },
      y: {
        range: (_u, min, max) =>
          kind === 'steps' ? [Math.floor(min) - 1, Math.ceil(max) + 1] : [0, Math.max(1, max)],
      },
    },
    axes: [
      { ...axis, space: 70, values: timeTicks(data.to - data.from) },
      { ...axis, size: axisSize, ...(whole ? { incrs: WHOLE_INCRS } : {}) },
    ],
    series: [
      { label: t('chartTime'), value: (_u, v) => (v === null ? '—' : formatTime(v)) },
      {
        label: title,
        stroke: accent,
        width: kind === 'bars' ? 0 : 2,
        fill: kind === 'bars' ? accent : undefined,
        spanGaps: kind !== 'bars',
        points: { show: false },
        value: (_u, v) => (v === null ? '—' : round(v)),
        ...(paths ? { paths } : {}),
      },
    ],
  };
}

function figure(
  field: HistoryField,
  title: string,
  summary: string,
  body: HTMLElement,
  y: (number | null)[],
) {
  const known = y.filter((v) => v !== null);
  return h(
    'figure',
    {
      class: 'chart',
      'data-series': field,
      'data-points': known.length,
      'data-total': COUNT_FIELDS.includes(field) ? total(y) : null,
    },
    h('figcaption', {}, h('span', {}, title), summary ? h('span', { class: 'muted' }, summary) : null),
    body,
  );
}

/** Draws the charts into `host`; call the result to destroy them (route change, new range). */
export function renderHistoryCharts(host: HTMLElement, data: HistoryData): () => void {
  if (data.t.length === 0) {
    mount(host, h('p', { class: 'state-msg empty', 'data-testid': 'history-empty' }, t('noData')));
    return () => {};
  }
  const grid = h('div', { class: 'chart-grid' });
  const pending: { box: HTMLElement; title: string; kind: Kind; drawn: Drawn }[] = [];
  for (const { field, title: key, kind } of CHARTS) {
    const title = t(key);
    const drawn = drawnData(data, field);
    const hasData = drawn.y.some((v) => v !== null);
    const box = h('div', { class: 'chart-box', role: 'img', 'aria-label': `${title} ${drawn.summary}` });
    if (!hasData) box.append(h('p', { class: 'state-msg empty' }, t('noData')));
    else pending.push({ box, title, kind, drawn });
    grid.append(figure(field, title, drawn.summary, box, drawn.y));
  }
  mount(
    host,
    data.truncated
      ? h('p', { class: 'state-msg', 'data-testid': 'history-truncated' }, t('historyTruncated'))
      : null,
    grid,
  );
  // In the page now, so the boxes have their laid-out widths.
  const charts = pending.map(
    ({ box, title, kind, drawn }) =>
      new uPlot(
        chartOptions(data, title, kind, box.clientWidth),
        [drawn.x, drawn.y] as uPlot.AlignedData,
        box,
      ),
  );
  const resize = new ResizeObserver(() => {
    for (const [i, chart] of charts.entries()) {
      const width = pending[i]!.box.clientWidth;
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: width < 420 ? 150 : 180 });
    }
  });
  for (const { box } of pending) resize.observe(box);
  return () => {
    resize.disconnect();
    for (const chart of charts) chart.destroy();
  };
}
