/**
 * The history section of an elevator's page: a range picker and the uPlot charts
 * (history-charts.ts, imported on demand with uPlot). Picking a range refetches; an answer
 * that arrives after a newer pick is dropped. Loading, empty and error states say which.
 */
import { ApiError } from '../api.ts';
import { h, mount } from '../dom.ts';
import { loadHistory, RANGE_KEYS, type RangeKey } from '../history.ts';
import { t } from '../i18n.ts';
import { awaiting, errorBox, isRouteMissing, loading } from '../ui.ts';

/** Kept across pages and language switches: the range last picked. */
let range: RangeKey = '24h';

function failure(error: unknown, retry: () => void): HTMLElement {
  if (isRouteMissing(error)) return awaiting(t('awaitingHistory'));
  if (error instanceof ApiError && error.code === 'NOT_READY') return errorBox(t('historyNotReady'), retry);
  return errorBox(error, retry);
}

export function historySection(elevatorId: string): { el: HTMLElement; stop(): void } {
  const charts = h('div', { class: 'charts', 'data-testid': 'history-charts' });
  const picker = h('div', { class: 'range-picker', role: 'group', 'aria-label': t('historyRange') });
  let drawn = 0;
  let destroy = () => {};

  const drawPicker = () =>
    mount(
      picker,
      RANGE_KEYS.map((key) =>
        h(
          'button',
          {
            type: 'button',
            'data-range': key,
            'aria-pressed': key === range ? 'true' : 'false',
            onclick: () => pick(key),
          },
          t(`range${key}`),
        ),
      ),
    );

  const draw = async () => {
    const mine = ++drawn;
    destroy();
    destroy = () => {};
    charts.setAttribute('aria-busy', 'true');
    charts.dataset['range'] = range;
    charts.dataset['state'] = 'loading';
    mount(charts, loading());
    try {
      const [data, { renderHistoryCharts }] = await Promise.all([
        loadHistory(elevatorId, range, Date.now()),
        import('../history-charts.ts'),
      ]);
      if (mine !== drawn) return;
      destroy = renderHistoryCharts(charts, data);
      charts.dataset['state'] = data.t.length ? 'ready' : 'empty';
    } catch (error) {
      if (mine !== drawn) return;
      charts.dataset['state'] = 'error';
      mount(
        charts,
        failure(error, () => void draw()),
      );
    } finally {
      if (mine === drawn) charts.removeAttribute('aria-busy');
    }
  };

  const pick = (key: RangeKey) => {
    range = key;
    drawPicker();
    void draw();
  };

  drawPicker();
  void draw();
  const el = h(
    'section',
    { 'aria-labelledby': 'h-history' },
    h('div', { class: 'section-head' }, h('h2', { id: 'h-history' }, t('history')), picker),
    charts,
  );
  return {
    el,
    stop() {
      drawn++;
      destroy();
    },
  };
}
