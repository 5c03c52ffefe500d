/**
 * Hand-written SVG time-series charts (uPlot is not installed; see dashboard/README.md).
 * A line, or steps for values that jump (floor, counters), with min/max and time labels
 * on the axes. The SVG scales with its box, so one drawing serves phone and desktop.
 */
import { h, svg } from './dom.ts';
import { formatTime, t } from './i18n.ts';
import type { Series } from './types.ts';

const W = 600;
const H = 180;
const PAD = { left: 44, right: 8, top: 10, bottom: 22 };

function text(x: number, y: number, content: string, anchor = 'start'): SVGElement {
  const el = svg('text', { x, y, 'text-anchor': anchor, class: 'axis' });
  el.textContent = content;
  return el;
}

function pathOf(points: Series, x: (t: number) => number, y: (v: number) => number, step: boolean): string {
  let d = '';
  points.forEach(([time, value], i) => {
    const px = x(time).toFixed(1);
    const py = y(value).toFixed(1);
    if (i === 0) d += `M${px},${py}`;
    else d += step ? `H${px}V${py}` : `L${px},${py}`;
  });
  return d;
}

export function timeChart(title: string, points: Series, options: { step?: boolean } = {}): HTMLElement {
  if (points.length === 0)
    return h(
      'figure',
      { class: 'chart' },
      h('figcaption', {}, title),
      h('p', { class: 'state-msg empty' }, t('noData')),
    );
  const times = points.map((p) => p[0]);
  const values = points.map((p) => p[1]);
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  let v0 = Math.min(...values);
  let v1 = Math.max(...values);
  if (v0 === v1) {
    v0 -= 1;
    v1 += 1;
  }
  const x = (time: number) => PAD.left + ((time - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (value: number) => H - PAD.bottom - ((value - v0) / (v1 - v0)) * (H - PAD.top - PAD.bottom);
  const round = (v: number) => String(Math.round(v * 100) / 100);
  const chart = svg(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${round(v0)}–${round(v1)}` },
    svg('line', { x1: PAD.left, y1: y(v0), x2: W - PAD.right, y2: y(v0), class: 'grid' }),
    svg('line', { x1: PAD.left, y1: y(v1), x2: W - PAD.right, y2: y(v1), class: 'grid' }),
    svg('path', { d: pathOf(points, x, y, options.step ?? false), class: 'series' }),
    text(PAD.left - 4, y(v1) + 4, round(v1), 'end'),
    text(PAD.left - 4, y(v0) + 4, round(v0), 'end'),
    text(PAD.left, H - 6, formatTime(t0)),
    text(W - PAD.right, H - 6, formatTime(t1), 'end'),
  );
  return h('figure', { class: 'chart' }, h('figcaption', {}, title), chart);
}

/** Horizontal bars for the evidence score's reasons: what earned (or lost) each point. */
export function scoreBars(reasons: { points: number; reason: string }[]): HTMLElement {
  const max = Math.max(1, ...reasons.map((r) => Math.abs(r.points)));
  return h(
    'ul',
    { class: 'score-bars' },
    reasons.map((r) =>
      h(
        'li',
        {},
        h('span', {
          class: `bar ${r.points < 0 ? 'neg' : 'pos'}`,
          style: `width:${(Math.abs(r.points) / max) * 100}%`,
        }),
        h('span', { class: 'bar-text' }, `${r.points > 0 ? '+' : ''}${r.points} · ${r.reason}`),
      ),
    ),
  );
}
