/**
 * QR stickers per estate or per building: choose the estate (or all) and, in an estate's
 * sheet, one of its buildings; the preview is the API's SVG of that choice
 * (GET /estates/{id}/stickers.svg[?building=], six per A4 page), "打开 PDF" opens the PDF in
 * the browser's viewer to print (it embeds its Chinese font, so it prints on any computer),
 * and the print button prints only the chosen sheet. The choice lives in the URL.
 */
import { apiUrl } from '../api.ts';
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View } from '../main.ts';
import { estateLabel } from '../names.ts';
import { store } from '../store.ts';
import type { Estate } from '../types.ts';
import { empty, select } from '../ui.ts';
import { readFilters, writeFilters } from '../url-state.ts';

const DEFAULTS = { estate: '', building: '' };

/** The estate's buildings as the fleet lists them (id, name), in the order of the sheet. */
function buildingsOf(estateId: string): [string, string][] {
  const names = new Map<string, string>();
  for (const e of store.elevators.values())
    if (e.estate_id === estateId) names.set(e.building_id, e.building_name);
  return [...names].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
}

function sheet(e: Estate, buildingId: string, choose: (buildingId: string) => void): HTMLElement {
  const buildings = buildingsOf(e.id);
  const building = buildings.find(([id]) => id === buildingId);
  const query = building ? { building: building[0] } : undefined;
  const base = `/estates/${encodeURIComponent(e.id)}/stickers`;
  const title = building
    ? t('stickersOfBuilding', { estate: estateLabel(e), building: building[1] })
    : t('stickersOf', { estate: estateLabel(e) });
  const section = h(
    'section',
    { class: 'sticker-sheet', 'data-estate': e.id, 'data-building': building?.[0] ?? '' },
    h('h2', {}, estateLabel(e), building ? ` · ${building[1]}` : ''),
    h(
      'div',
      { class: 'filters sticker-actions' },
      select(
        t('stickersBuilding'),
        building?.[0] ?? '',
        [['', t('stickersAllBuildings')], ...buildings],
        choose,
      ),
      h(
        'a',
        {
          class: 'button primary',
          href: apiUrl(`${base}.pdf`, query),
          target: '_blank',
          rel: 'noopener',
          'data-testid': 'sticker-pdf',
        },
        t('stickersOpenPdf'),
      ),
      h(
        'button',
        {
          type: 'button',
          onclick: () => {
            // Only this sheet prints: the others and the console's chrome are hidden by print CSS.
            for (const other of document.querySelectorAll('.sticker-sheet'))
              other.classList.remove('printing');
            section.classList.add('printing');
            window.print();
          },
        },
        t('print'),
      ),
      h(
        'a',
        { class: 'button', href: apiUrl(`${base}.svg`, query), target: '_blank', rel: 'noopener' },
        t('stickersOpenSvg'),
      ),
    ),
    h('img', { class: 'sticker-preview', src: apiUrl(`${base}.svg`, query), alt: title, loading: 'lazy' }),
  );
  return section;
}

export const stickersView: View = (host) => {
  const filters = readFilters(DEFAULTS);
  const sheets = h('div', { class: 'sticker-sheets' });
  const estateChoice = select(
    t('estate'),
    filters.estate,
    [['', t('all')], ...store.estates.map((e): [string, string] => [e.id, estateLabel(e)])],
    (estate) => {
      filters.estate = estate;
      filters.building = '';
      draw();
    },
  );
  const draw = () => {
    writeFilters(filters, DEFAULTS);
    // Choosing a building narrows to its estate: the estate list says so.
    estateChoice.querySelector('select')!.value = filters.estate;
    const shown = store.estates.filter((e) => !filters.estate || e.id === filters.estate);
    const choose = (estateId: string) => (buildingId: string) => {
      filters.building = buildingId;
      if (buildingId) filters.estate = estateId;
      draw();
    };
    mount(sheets, shown.length ? shown.map((e) => sheet(e, filters.building, choose(e.id))) : empty());
  };
  mount(
    host,
    h('p', { class: 'muted' }, t('stickersHint')),
    h('div', { class: 'filters sticker-choice', role: 'search' }, estateChoice),
    sheets,
  );
  draw();
  return undefined;
};
