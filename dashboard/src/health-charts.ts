/**
 * A lift's health signals drawn with uPlot (loaded on demand, like history-charts.ts): per
 * signal, the day's value over the lift's own usual band (baseline median ± judgement floor,
 * as the ingest computed it that day), the median dashed; and the daily score. A day above
 * the band is what costs points. Returns the function that destroys the charts.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h, mount } from './dom.ts';
import { type ElevatorHealth, hw, type SignalSeries, say } from './health-api.ts';
import { lang } from './i18n.ts';

const DAY = 86_400_000;

function cssColor(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

const round = (v: number) => String(Math.round(v * 100) / 100);

function dateTicks(): uPlot.Axis.Values {
  const md = new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    month: 'numeric',
    day: 'numeric',
  });
  return (_u, splits) => splits.map((v) => md.format(v));
}

function baseOptions(
  width: number,
  from: number,
  to: number,
): Pick<uPlot.Options, 'width' | 'height' | 'ms' | 'axes' | 'legend' | 'cursor'> & {
  xRange: [number, number];
} {
  const muted = cssColor('--muted', '#5b6470');
  const line = cssColor('--line', '#d8dce2');
  const axis = { stroke: muted, grid: { stroke: line, width: 1 }, ticks: { stroke: line, width: 1 } };
  return {
    width,
    height: width < 420 ? 150 : 180,
    ms: 1,
    legend: { show: true, live: true },
    cursor: { y: false },
    axes: [
      { ...axis, space: 60, values: dateTicks() },
      { ...axis, size: 50 },
    ],
    xRange: [from, to],
  };
}

function signalChart(s: SignalSeries, width: number, from: number, to: number): uPlot {
  const accent = cssColor('--accent', '#1f5fbf');
  const { xRange, ...base } = baseOptions(width, from, to);
  const t = s.points.map((p) => p[0]!);
  const value = s.points.map((p) => p[1] ?? null);
  const median = s.points.map((p) => p[2] ?? null);
  const upper = s.points.map((p) => (p[2] !== null && p[3] !== null ? p[2]! + p[3]! : null));
  const lower = s.points.map((p) =>
    p[2] !== null && p[3] !== null
      ? s.direction === 'up'
        ? Math.max(0, p[2]! - p[3]!)
        : p[2]! - p[3]!
      : null,
  );
  const fmt = (_u: uPlot, v: number | null) => (v === null ? '—' : round(v));
  return new uPlot(
    {
      ...base,
      scales: { x: { time: true, range: xRange } },
      series: [
        { label: hw('date'), value: (_u, v) => (v === null ? '—' : new Date(v).toLocaleDateString()) },
        { label: hw('value'), stroke: accent, width: 2, points: { show: true, size: 4 }, value: fmt },
        {
          label: hw('usual'),
          stroke: '#2e7d32',
          width: 1,
          dash: [6, 4],
          points: { show: false },
          value: fmt,
        },
        {
          label: `${hw('band')} ↑`,
          stroke: 'rgba(46,125,50,0.5)',
          width: 1,
          points: { show: false },
          value: fmt,
        },
        {
          label: `${hw('band')} ↓`,
          stroke: 'rgba(46,125,50,0.5)',
          width: 1,
          points: { show: false },
          value: fmt,
        },
      ],
      bands: [{ series: [3, 4], fill: 'rgba(46,125,50,0.12)' }],
    },
    [t, value, median, upper, lower] as uPlot.AlignedData,
    undefined,
  );
}

function scoreChart(data: ElevatorHealth, width: number, from: number, to: number): uPlot {
  const { xRange, ...base } = baseOptions(width, from, to);
  return new uPlot(
    {
      ...base,
      scales: { x: { time: true, range: xRange }, y: { range: [0, 100] } },
      series: [
        { label: hw('date'), value: (_u, v) => (v === null ? '—' : new Date(v).toLocaleDateString()) },
        { label: hw('score'), stroke: cssColor('--accent', '#1f5fbf'), width: 2, spanGaps: false },
      ],
    },
    [data.scores.map((p) => p[0]!), data.scores.map((p) => p[1] ?? null)] as uPlot.AlignedData,
    undefined,
  );
}

/** Draws into `host`; call the result to destroy the charts. */
export function renderHealthCharts(host: HTMLElement, data: ElevatorHealth): () => void {
  const grid = h('div', { class: 'chart-grid' });
  const t = data.scores.map((p) => p[0]!);
  const from = (t[0] ?? Date.now()) - DAY / 2;
  const to = (t.at(-1) ?? Date.now()) + DAY / 2;
  const boxes: { box: HTMLElement; make: (width: number) => uPlot }[] = [];
  const add = (
    key: string,
    title: string,
    summary: string,
    make: (width: number) => uPlot,
    outside: number,
  ) => {
    const box = h('div', { class: 'chart-box', role: 'img', 'aria-label': `${title} ${summary}` });
    grid.append(
      h(
        'figure',
        { class: 'chart', 'data-signal': key, 'data-outside': outside },
        h('figcaption', {}, h('span', {}, title), summary ? h('span', { class: 'muted' }, summary) : null),
        box,
      ),
    );
    boxes.push({ box, make });
  };
  add('score', hw('scoreHistory'), '', (w) => scoreChart(data, w, from, to), 0);
  for (const s of data.signals) {
    const last = [...s.points].reverse().find((p) => p[2] !== null && p[1] !== null);
    const summary = last
      ? `${hw('usual')} ${round(last[2]!)} ± ${round(last[3]!)}${s.unit ? ` ${s.unit}` : ''}`
      : '';
    // Days above the band: what the score counted against the lift.
    const outside = s.points.filter((p) => p[1] !== null && p[2] !== null && p[1]! > p[2]! + p[3]!).length;
    add(s.signal, say(s.label), summary, (w) => signalChart(s, w, from, to), outside);
  }
  mount(host, grid);
  const charts = boxes.map(({ box, make }) => {
    const chart = make(box.clientWidth || 320);
    box.append(chart.root);
    return chart;
  });
  const resize = new ResizeObserver(() => {
    for (const [i, chart] of charts.entries()) {
      const width = boxes[i]!.box.clientWidth;
      if (width > 0 && width !== chart.width) chart.setSize({ width, height: width < 420 ? 150 : 180 });
    }
  });
  for (const { box } of boxes) resize.observe(box);
  return () => {
    resize.disconnect();
    for (const chart of charts) chart.destroy();
  };
}
