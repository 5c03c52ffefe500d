/**
 * Small drawings made of plain elements: the evidence score's bars. The history's time
 * charts are uPlot, in history-charts.ts (loaded only on an elevator's page).
 */
import { h } from './dom.ts';

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
