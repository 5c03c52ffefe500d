/**
 * The SLA clocks on screen. Each chip stores its start, limit and met time as data
 * attributes; one 1-second ticker rewrites only the chips' text, so a running clock never
 * re-renders the list (and never steals focus from a button or the note dialog). Overdue
 * past a day, a chip stops counting and says the state and when it was due, in Beijing time
 * ("到场超时 · 应于 2025-05-18 12:30 前到场").
 */
import { h } from '../dom.ts';
import { formatTime, t } from '../i18n.ts';
import { ACK_SLA_MS, ARRIVAL_SLA_MS, clock, formatDuration, longOverdue } from '../sla.ts';
import type { Alert } from '../types.ts';

function chip(
  kind: 'ack' | 'arrival',
  start: number,
  limit: number,
  metAt: number | null,
  closed = false,
): HTMLElement {
  const el = h('span', {
    class: 'sla',
    'data-sla': kind,
    'data-start': start,
    'data-limit': limit,
    'data-met': metAt ?? '',
    // Resolved with nobody stamped on site: the clock no longer runs, and says so.
    'data-closed': closed && metAt === null ? '1' : null,
  });
  paint(el, Date.now());
  return el;
}

function paint(el: HTMLElement, now: number): void {
  const start = Number(el.dataset['start']);
  const limit = Number(el.dataset['limit']);
  const met = el.dataset['met'] ? Number(el.dataset['met']) : null;
  const c = clock(start, limit, met, now);
  const label = el.dataset['sla'] === 'ack' ? t('ackSla') : t('arrivalSla');
  if (el.dataset['closed']) {
    el.className = 'sla sla-late';
    el.textContent = `${label} ${t('arrivalNone')}`;
    return;
  }
  if (longOverdue(c)) {
    el.className = 'sla sla-overdue sla-long';
    // The due time and its verb stay whole on a phone: the chip breaks before them, not inside.
    const [before, after] = t(el.dataset['sla'] === 'ack' ? 'ackOverdueSince' : 'arrivalOverdueSince', {
      at: '\u0000',
    }).split('\u0000') as [string, string];
    el.replaceChildren(before, h('span', { class: 'nowrap' }, `${formatTime(c.deadline)}${after}`));
    return;
  }
  const time = formatDuration(c.ms, (n) => t('days', { n }));
  const words =
    c.status === 'running'
      ? t('left', { t: time })
      : c.status === 'overdue'
        ? t('overdue', { t: time })
        : t('metIn', { t: time });
  el.className = `sla sla-${c.status}`;
  el.textContent = `${label} ${words}`;
}

/**
 * The response and arrival clocks. Arrival stops at "到场" (the alert's stamp, else the
 * first check-in a visit push brought), never at resolution.
 */
export function slaChips(alert: Alert, checkedInAt: number | null): HTMLElement {
  return h(
    'span',
    { class: 'sla-group' },
    chip('ack', alert.opened_at, ACK_SLA_MS, alert.acknowledged_at),
    chip(
      'arrival',
      alert.opened_at,
      ARRIVAL_SLA_MS,
      alert.arrived_at ?? checkedInAt,
      alert.state === 'resolved',
    ),
  );
}

export function startSlaTicker(): void {
  setInterval(() => {
    const now = Date.now();
    for (const el of document.querySelectorAll<HTMLElement>('[data-sla]')) paint(el, now);
  }, 1000);
}
