/**
 * QR stickers per estate: a preview of the printable sheet the API draws
 * (GET /estates/{id}/stickers.svg, six per A4 page) with links to the SVG and the PDF and a
 * print button; printing hides the console around the chosen sheet.
 */
import { apiUrl } from '../api.ts';
import { h, mount } from '../dom.ts';
import { t } from '../i18n.ts';
import type { View } from '../main.ts';
import { estateLabel } from '../names.ts';
import { store } from '../store.ts';
import type { Estate } from '../types.ts';
import { empty } from '../ui.ts';

function sheet(e: Estate): HTMLElement {
  const svg = apiUrl(`/estates/${encodeURIComponent(e.id)}/stickers.svg`);
  const pdf = apiUrl(`/estates/${encodeURIComponent(e.id)}/stickers.pdf`);
  const section = h(
    'section',
    { class: 'sticker-sheet', 'data-estate': e.id },
    h(
      'h2',
      {},
      estateLabel(e),
      ' ',
      h(
        'button',
        {
          type: 'button',
          class: 'primary',
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
      ' ',
      h('a', { class: 'button', href: pdf, target: '_blank', rel: 'noopener' }, 'PDF'),
      ' ',
      h('a', { class: 'button', href: svg, target: '_blank', rel: 'noopener' }, 'SVG'),
    ),
    h('img', {
      class: 'sticker-preview',
      src: svg,
      alt: t('stickersOf', { estate: estateLabel(e) }),
      loading: 'lazy',
    }),
  );
  return section;
}

export const stickersView: View = (host) => {
  mount(
    host,
    h('p', { class: 'muted' }, t('stickersHint')),
    store.estates.length ? store.estates.map(sheet) : empty(),
  );
  return undefined;
};
